import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../errors.js';
import { migrate } from './schema.js';
import { type WriterLock, acquireWriterLock } from './writer-lock.js';

/** The connections of one open store. */
export interface SqliteConnections {
  /** The writer's connection (the only one, read-only, for a reader). */
  readonly db: Database.Database;
  /**
   * Where `readAll`, `subscribe`, `head` and batch reads go: a second
   * connection for a writer, so they only ever see committed events, even
   * while a unit of work is open; the same connection for a reader.
   */
  readonly reader: Database.Database;
  /** The writer lock; undefined for a reader. */
  readonly lock: WriterLock | undefined;
  /** Closes both connections and lets the lock go. */
  close(): void;
}

/**
 * Opens the file: a writer takes the lock, sets WAL with `synchronous = FULL`
 * (every commit fsynced before an append returns) and migrates the schema; a
 * reader needs the file to exist. Failures are `StoreUnavailableError`s.
 */
export const openConnections = (path: string, readOnly: boolean): SqliteConnections => {
  if (readOnly && !existsSync(path)) {
    throw new StoreUnavailableError(`the event store ${path} does not exist (opened read-only)`);
  }
  const lock: WriterLock | undefined = readOnly ? undefined : acquireWriterLock(path);
  let db: Database.Database;
  try {
    db = new Database(path, readOnly ? { readonly: true, fileMustExist: true } : {});
    db.pragma('busy_timeout = 5000');
    if (!readOnly) {
      db.pragma('journal_mode = WAL');
      // FULL: the WAL is fsynced at every commit, so an append is durable before it returns.
      db.pragma('synchronous = FULL');
      migrate(db);
    }
    db.prepare('SELECT 1 FROM events LIMIT 1').get();
  } catch (cause) {
    lock?.release();
    throw new StoreUnavailableError(`cannot open the event store ${path}: ${String(cause)}`, {
      cause,
    });
  }
  const reader = readOnly ? db : new Database(path, { readonly: true, fileMustExist: true });
  reader.pragma('busy_timeout = 5000');
  return {
    db,
    reader,
    lock,
    close: () => {
      if (reader !== db) reader.close();
      db.close();
      lock?.release();
    },
  };
};
