import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openSqliteReadModel,
  pruneSqliteVersions,
  sqliteVersionFile,
  sqliteVersions,
} from './sqlite.js';
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

  it('lists the versions beside the file and removes all but those kept, touching no other file', async () => {
    const own = join(dir, 'prune');
    mkdirSync(own);
    const rm = join(own, 'readmodel.sqlite');
    for (const version of ['v1', 'v2', 'v10']) {
      const store = await openSqliteReadModel(rm, { version });
      if (version === 'v10') await store.activate('v10');
      await store.close();
    }
    // Files that are not versions of this read model.
    for (const other of [
      'events.sqlite',
      'audit.sqlite-wal',
      'readmodel.v2.sqlite.bak',
      'readmodel.V3.sqlite',
    ])
      writeFileSync(join(own, other), 'x');
    const listed = sqliteVersions(rm);
    expect(listed.map((v) => v.version)).toEqual(['v1', 'v10', 'v2']);
    for (const v of listed) {
      expect(v.files).toContain(sqliteVersionFile(rm, v.version));
      expect(v.bytes).toBeGreaterThan(0);
    }
    const removed = pruneSqliteVersions(rm, ['v10', 'v2']);
    expect(removed.map((v) => v.version)).toEqual(['v1']);
    expect(readdirSync(own).sort()).toEqual([
      'audit.sqlite-wal',
      'events.sqlite',
      'readmodel.V3.sqlite',
      'readmodel.sqlite',
      'readmodel.v10.sqlite',
      'readmodel.v2.sqlite',
      'readmodel.v2.sqlite.bak',
    ]);
    const active = await openSqliteReadModel(rm);
    expect(active.version).toBe('v10');
    await active.close();
    expect(sqliteVersions(join(own, 'missing', 'rm.sqlite'))).toEqual([]);
  });

  it('keeps each version in its own file beside the one naming the active version', async () => {
    const store = await openSqliteReadModel(path, { version: 'files' });
    await store.close();
    expect(sqliteVersionFile(path, 'files')).toBe(join(dir, 'readmodel.files.sqlite'));
    expect(existsSync(join(dir, 'readmodel.files.sqlite'))).toBe(true);
    expect(sqliteVersionFile('/data/rm', 'v2')).toBe('/data/rm.v2');
  });
});
