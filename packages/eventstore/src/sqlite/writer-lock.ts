import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreLockedError, StoreUnavailableError } from '../errors.js';

export interface WriterLock {
  release(): void;
}

const isBusy = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  'code' in error &&
  (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED');

const readPid = (file: string): number | undefined => {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isSafeInteger(pid) ? pid : undefined;
  } catch {
    // The pid file is only for the error message; without it the message omits the pid.
    return undefined;
  }
};

/**
 * One writer process per store. The lock is an exclusive SQLite transaction held
 * open on a small side file `<path>.lock`: the operating system drops it when the
 * process ends, however it ends (SIGKILL included), so there is no stale lock to
 * clean up and no pid guessing. Readers do not take it. The side file is never
 * deleted: deleting it could let two writers lock two different files.
 * `<path>.writer` holds the writer's pid, only to name it in the error message.
 */
export const acquireWriterLock = (path: string): WriterLock => {
  const lockPath = `${path}.lock`;
  const pidPath = `${path}.writer`;
  let lockDb: Database.Database;
  try {
    lockDb = new Database(lockPath, { timeout: 0 });
  } catch (cause) {
    throw new StoreUnavailableError(`cannot open the lock file ${lockPath}`, { cause });
  }
  try {
    lockDb.exec('BEGIN EXCLUSIVE');
  } catch (cause) {
    lockDb.close();
    if (isBusy(cause)) throw new StoreLockedError(path, readPid(pidPath), { cause });
    throw new StoreUnavailableError(`cannot lock ${lockPath}`, { cause });
  }
  writeFileSync(pidPath, `${process.pid}\n`);
  return {
    release: () => {
      rmSync(pidPath, { force: true });
      lockDb.exec('ROLLBACK');
      lockDb.close();
    },
  };
};
