import { createServer } from 'node:net';
import pg from 'pg';
import {
  ReadModelConflictError,
  ReadModelSchemaError,
  ReadModelUnavailableError,
} from './errors.js';
import { openPostgresReadModel } from './postgres.js';
import { fullBatch, splitBatches } from './test-support/fixture.js';
import { createTestDatabase } from './test-support/postgres.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase('errors');
});
afterAll(async () => {
  await database.drop();
});

/** The rejection of `promise`, which must reject. */
const failure = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
};

const rawClient = async (): Promise<pg.Client> => {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  return client;
};

/** A local port nothing listens on. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

describe('PostgreSQL read model errors: the driver error kept as cause', () => {
  it('a database that does not exist: unavailable, naming it, without the password', async () => {
    const url = new URL(database.url);
    url.pathname = '/readmodels_no_such_database';
    url.password = 'secret';
    const error = await failure(openPostgresReadModel(url.toString()));
    expect(error).toBeInstanceOf(ReadModelUnavailableError);
    expect(error).toMatchObject({ code: 'readmodel-unavailable' });
    expect(error.message).toMatch(/readmodels_no_such_database/);
    expect(error.message).toMatch(/create the database/);
    expect(error.message).not.toContain('secret');
    expect((error.cause as { code: string }).code).toBe('3D000');
  });

  it('a server that refuses the connection: unavailable', async () => {
    const port = await closedPort();
    const error = await failure(openPostgresReadModel(`postgres://postgres@127.0.0.1:${port}/x`));
    expect(error).toBeInstanceOf(ReadModelUnavailableError);
    expect(error.message).toMatch(/cannot be reached \(ECONNREFUSED\)/);
    expect((error.cause as { code: string }).code).toBe('ECONNREFUSED');
  });

  it('tables of a newer layout: a schema error, and the schema is left as it was', async () => {
    const first = await openPostgresReadModel(database.url, { schema: 'newer' });
    await first.applyBatch(fullBatch());
    const checkpoint = await first.checkpoint('ledger');
    await first.close();
    const raw = await rawClient();
    try {
      await raw.query(
        `update newer_v1.meta set value = 'nhagiao-readmodel-99' where key = 'schema'`,
      );
      const error = await failure(openPostgresReadModel(database.url, { schema: 'newer' }));
      expect(error).toBeInstanceOf(ReadModelSchemaError);
      expect(error).toMatchObject({ code: 'readmodel-schema' });
      expect(error.message).toMatch(/newer nhagiao.*nhagiao-readmodel-99/);
      const { rows } = await raw.query<{ position: string }>(
        `select position from newer_v1.checkpoints where name = 'ledger'`,
      );
      expect(BigInt(rows[0]!.position)).toBe(checkpoint);
    } finally {
      await raw.end();
    }
  });

  it('tables dropped under an open handle: a schema error', async () => {
    const store = await openPostgresReadModel(database.url, { schema: 'dropped' });
    const raw = await rawClient();
    try {
      await raw.query('drop schema dropped_v1 cascade');
      const error = await failure(store.checkpoint('ledger'));
      expect(error).toBeInstanceOf(ReadModelSchemaError);
      expect((error.cause as { code: string }).code).toBe('42P01');
    } finally {
      await raw.end();
      await store.close();
    }
  });

  it('a deadlock with another transaction: a conflict, nothing of the batch written', async () => {
    const store = await openPostgresReadModel(database.url, { schema: 'deadlock' });
    const [first, second] = splitBatches();
    await store.applyBatch(first!);
    const raw = await rawClient();
    try {
      // The other transaction holds the ledger; the batch takes the checkpoint's
      // row, then waits for the ledger; the other then waits for that row. The
      // batch's wait is the one checked for a deadlock (the other's check comes
      // far later), so the batch is the one the server aborts.
      await raw.query(`set deadlock_timeout = '30s'`);
      await raw.query('begin');
      await raw.query('lock table deadlock_v1.ledger in access exclusive mode');
      const batch = store.applyBatch(second!);
      batch.catch(() => undefined);
      const waiting = async (): Promise<boolean> => {
        const { rows } = await raw.query<{ n: string }>(
          `select count(*) as n from pg_locks where not granted and relation = 'deadlock_v1.ledger'::regclass`,
        );
        return rows[0]!.n !== '0';
      };
      while (!(await waiting())) await new Promise((resolve) => setTimeout(resolve, 20));
      const update = raw.query(
        `update deadlock_v1.checkpoints set position = position where name = 'ledger'`,
      );
      const error = await failure(batch);
      await update;
      await raw.query('rollback');
      expect(error).toBeInstanceOf(ReadModelConflictError);
      expect(error).toMatchObject({ code: 'readmodel-conflict' });
      expect((error.cause as { code: string }).code).toBe('40P01');
      expect(await store.checkpoint('ledger')).toBe(first!.checkpoint);
      // Tried again, it goes through.
      expect((await store.applyBatch(second!)).applied).toBe(true);
    } finally {
      await raw.end();
      await store.close();
    }
  }, 20_000);
});
