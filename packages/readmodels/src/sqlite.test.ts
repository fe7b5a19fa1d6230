import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteReadModel, sqliteVersionFile } from './sqlite.js';
import { readModelConformance } from './test-support/conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'readmodels-sqlite-'));
const path = join(dir, 'readmodel.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite read model', () => {
  readModelConformance({
    open: (version) => openSqliteReadModel(path, version === undefined ? {} : { version }),
  });

  describe('summing the ledger in the database at each query', () => {
    readModelConformance({
      open: (version) =>
        openSqliteReadModel(path, {
          figureSums: 'database',
          ...(version === undefined ? {} : { version }),
        }),
    });
  });

  it('keeps each version in its own file beside the one naming the active version', async () => {
    const store = await openSqliteReadModel(path, { version: 'files' });
    await store.close();
    expect(sqliteVersionFile(path, 'files')).toBe(join(dir, 'readmodel.files.sqlite'));
    expect(existsSync(join(dir, 'readmodel.files.sqlite'))).toBe(true);
    expect(sqliteVersionFile('/data/rm', 'v2')).toBe('/data/rm.v2');
  });
});
