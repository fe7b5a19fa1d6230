import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  ReadModelConflictError,
  ReadModelCorruptError,
  ReadModelSchemaError,
  ReadModelUnavailableError,
} from './errors.js';
import { openSqliteReadModel, sqliteVersionFile } from './sqlite.js';
import { fullBatch } from './test-support/fixture.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'readmodels-errors-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The rejection of `promise`, which must reject. */
const failure = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
};

describe('SQLite read model errors: the driver error kept as cause', () => {
  it('a directory that does not exist: unavailable, naming the file', async () => {
    const file = join(dir, 'missing', 'rm.sqlite');
    const error = await failure(openSqliteReadModel(file));
    expect(error).toBeInstanceOf(ReadModelUnavailableError);
    expect(error).toMatchObject({ code: 'readmodel-unavailable' });
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/directory does not exist/);
    expect(error.cause).toMatchObject({ name: 'TypeError' });
  });

  it('a file that is not a database: corrupt, telling to rebuild', async () => {
    const file = join(dir, 'rm.sqlite');
    writeFileSync(file, 'this is not an SQLite file, but long enough to have a header '.repeat(20));
    const error = await failure(openSqliteReadModel(file));
    expect(error).toBeInstanceOf(ReadModelCorruptError);
    expect(error).toMatchObject({ code: 'readmodel-corrupt' });
    expect(error.message).toMatch(/rebuild/);
    expect(error.cause).toMatchObject({ name: 'SqliteError', code: 'SQLITE_NOTADB' });
  });

  it('tables of a newer layout: a schema error, and the tables are left as they were', async () => {
    const file = join(dir, 'rm.sqlite');
    const first = await openSqliteReadModel(file);
    await first.applyBatch(fullBatch());
    const checkpoint = await first.checkpoint('ledger');
    await first.close();
    const raw = new BetterSqlite3(sqliteVersionFile(file, 'v1'));
    raw.prepare("update meta set value = 'nhagiao-readmodel-99' where key = 'schema'").run();
    const error = await failure(openSqliteReadModel(file));
    expect(error).toBeInstanceOf(ReadModelSchemaError);
    expect(error).toMatchObject({ code: 'readmodel-schema' });
    expect(error.message).toMatch(/newer nhagiao.*nhagiao-readmodel-99/);
    // Nothing dropped: the newer nhagiao finds its ledger where it left it.
    const left = raw.prepare("select position from checkpoints where name = 'ledger'").get() as {
      position: number;
    };
    expect(BigInt(left.position)).toBe(checkpoint);
    raw.close();
  });

  it('another process holding the write lock past the wait: a conflict, nothing written', async () => {
    const file = join(dir, 'rm.sqlite');
    const store = await openSqliteReadModel(file);
    try {
      const other = new BetterSqlite3(sqliteVersionFile(file, 'v1'));
      other.exec('begin immediate');
      const error = await failure(store.applyBatch(fullBatch()));
      other.exec('rollback');
      other.close();
      expect(error).toBeInstanceOf(ReadModelConflictError);
      expect(error).toMatchObject({ code: 'readmodel-conflict' });
      expect((error.cause as { code: string }).code).toBe('SQLITE_BUSY');
      expect(await store.checkpoint('ledger')).toBeNull();
      // Once the lock is free, the same batch goes through.
      expect((await store.applyBatch(fullBatch())).applied).toBe(true);
    } finally {
      await store.close();
    }
  }, 20_000);

  it('tables dropped under an open handle: a schema error, not a driver message', async () => {
    const file = join(dir, 'rm.sqlite');
    const store = await openSqliteReadModel(file);
    try {
      const other = new BetterSqlite3(sqliteVersionFile(file, 'v1'));
      other.exec('drop table checkpoints');
      other.close();
      const error = await failure(store.checkpoint('ledger'));
      expect(error).toBeInstanceOf(ReadModelSchemaError);
      expect(error.message).toMatch(/no such table: checkpoints/);
      expect(error.cause).toMatchObject({ name: 'SqliteError', code: 'SQLITE_ERROR' });
    } finally {
      await store.close();
    }
  });

  it('a mistake of the caller is not dressed up as a database error', async () => {
    const store = await openSqliteReadModel(join(dir, 'rm.sqlite'));
    try {
      await expect(
        store.applyBatch({ projection: 'ledger', after: 5n, checkpoint: 5n }),
      ).rejects.toBeInstanceOf(RangeError);
    } finally {
      await store.close();
    }
  });
});
