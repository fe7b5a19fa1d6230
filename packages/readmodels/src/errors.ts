/** Stable codes of the errors a read model raises; callers (HTTP, CLI) map codes, not classes. */
export type ReadModelErrorCode =
  'readmodel-unavailable' | 'readmodel-schema' | 'readmodel-conflict' | 'readmodel-corrupt';

/**
 * Base of every error the read-model adapters raise for a database failure;
 * the driver's error (pg, better-sqlite3) stays inside as `cause`.
 */
export abstract class ReadModelError extends Error {
  abstract readonly code: ReadModelErrorCode;
}

/**
 * The database cannot be reached or used: the server refused the connection
 * or went away, the database does not exist, the login was refused, the file
 * cannot be opened or written. Nothing was written; trying again once it is
 * back is safe.
 */
export class ReadModelUnavailableError extends ReadModelError {
  override readonly name = 'ReadModelUnavailableError';
  readonly code = 'readmodel-unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The tables are not those this code reads: written by a newer nhagiao, or
 * dropped or changed under this handle. Open the version with the nhagiao that
 * wrote it, or rebuild the read model from the log into another version.
 */
export class ReadModelSchemaError extends ReadModelError {
  override readonly name = 'ReadModelSchemaError';
  readonly code = 'readmodel-schema';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Another writer held what this one needed (SQLite's write lock past its
 * timeout, a PostgreSQL serialization failure or deadlock): nothing of this
 * call was written; it can be tried again.
 */
export class ReadModelConflictError extends ReadModelError {
  override readonly name = 'ReadModelConflictError';
  readonly code = 'readmodel-conflict';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The database's files are damaged or are not a database: rebuild the read model from the log. */
export class ReadModelCorruptError extends ReadModelError {
  override readonly name = 'ReadModelCorruptError';
  readonly code = 'readmodel-corrupt';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
