import { fieldOf } from './driver-error.js';
import {
  ReadModelConflictError,
  ReadModelCorruptError,
  ReadModelError,
  ReadModelSchemaError,
  ReadModelUnavailableError,
} from './errors.js';

/**
 * The SQLite result code of a better-sqlite3 error. Known by its code rather
 * than by class: the native part keeps the first `SqliteError` class it was
 * handed in a process, which need not be the one this module sees (another
 * module registry's, as in a test runner).
 */
const codeOf = (error: unknown): string | undefined => {
  const code = fieldOf(error, 'code');
  return code?.startsWith('SQLITE_') ? code : undefined;
};

/** A TypeError of better-sqlite3's own checks, by name for the same reason. */
const isTypeError = (error: unknown): boolean => fieldOf(error, 'name') === 'TypeError';

/**
 * A better-sqlite3 error as the read model's own, naming `where` (the file) and
 * what to do; any other error (a caller's mistake, a bug) is returned as it is.
 */
export const translateSqliteError = (error: unknown, where: string): unknown => {
  if (error instanceof ReadModelError) return error;
  const cause = { cause: error };
  const reason = fieldOf(error, 'message') ?? String(error);
  const code = codeOf(error);
  if (code === undefined) {
    // better-sqlite3 checks these itself, before SQLite sees the call.
    if (isTypeError(error) && /directory does not exist/.test(reason))
      return new ReadModelUnavailableError(
        `${where}: its directory does not exist; create it, or pass another --readmodel / --data-dir`,
        cause,
      );
    if (isTypeError(error) && /connection is not open/.test(reason))
      return new ReadModelUnavailableError(`${where}: the handle is closed; open it again`, cause);
    return error;
  }
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_LOCKED'))
    return new ReadModelConflictError(
      `${where}: another process held the database's write lock past the wait (${reason}); nothing was written, try again`,
      cause,
    );
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
    return new ReadModelCorruptError(
      `${where}: ${reason}; remove the file and rebuild the read model from the log (nhagiao rebuild)`,
      cause,
    );
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_PERM' ||
    code === 'SQLITE_AUTH'
  )
    return new ReadModelUnavailableError(
      `${where}: ${reason} (${code}); check that the file and its directory exist, are writable and the disk has room`,
      cause,
    );
  if (/no such (table|column)|has no column/.test(reason))
    return new ReadModelSchemaError(
      `${where}: ${reason}: its tables are not those this nhagiao reads (changed or dropped meanwhile); reopen it, or rebuild the read model`,
      cause,
    );
  return error;
};
