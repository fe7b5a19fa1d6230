import { openPostgresReadModel } from './postgres.js';
import type { ReadModelStore } from './ports.js';
import { readModelConformance } from './test-support/conformance.js';
import { createTestDatabase } from './test-support/postgres.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase('conformance');
});
afterAll(async () => {
  await database.drop();
});

describe('PostgreSQL read model', () => {
  readModelConformance({
    open: (version): Promise<ReadModelStore> =>
      openPostgresReadModel(database.url, version === undefined ? {} : { version }),
  });

  describe('summing the ledger in the database at each query', () => {
    readModelConformance({
      open: (version): Promise<ReadModelStore> =>
        openPostgresReadModel(database.url, {
          figureSums: 'database',
          ...(version === undefined ? {} : { version }),
        }),
    });
  });

  it('keeps each version in its own schema under the base schema named', async () => {
    const store = await openPostgresReadModel(database.url, { schema: 'other', version: 'v7' });
    try {
      expect(store.version).toBe('v7');
      expect(await store.activeVersion()).toBe('v7');
      expect(await store.checkpoint('ledger')).toBeNull();
    } finally {
      await store.close();
    }
  });
});
