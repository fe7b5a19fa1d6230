import { fieldOf } from './driver-error.js';
import {
  ReadModelConflictError,
  ReadModelCorruptError,
  ReadModelError,
  ReadModelSchemaError,
  ReadModelUnavailableError,
} from './errors.js';

/** Errors of the network under the PostgreSQL client: the server cannot be reached. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * A pg error (a server's SQLSTATE, or the network's) as the read model's own,
 * naming `where` (the database, without its password) and what to do; any
 * other error (a caller's mistake, a bug) is returned as it is.
 */
export const translatePostgresError = (error: unknown, where: string): unknown => {
  if (error instanceof ReadModelError) return error;
  const cause = { cause: error };
  const reason = fieldOf(error, 'message') ?? String(error);
  const code = fieldOf(error, 'code');
  if (code !== undefined && NETWORK.has(code))
    return new ReadModelUnavailableError(
      `${where}: the server cannot be reached (${code}); check that PostgreSQL runs and the URL's host and port`,
      cause,
    );
  // The client's own words when a connection ends or never starts.
  if (code === undefined) {
    if (
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
        reason,
      )
    )
      return new ReadModelUnavailableError(
        `${where}: the connection to the server was lost (${reason}); try again once it is back`,
        cause,
      );
    if (/Cannot use a pool after calling end/.test(reason))
      return new ReadModelUnavailableError(`${where}: the handle is closed; open it again`, cause);
    return error;
  }
  if (code === '3D000')
    return new ReadModelUnavailableError(
      `${where}: ${reason}; create the database (createdb) or correct the URL`,
      cause,
    );
  if (code.startsWith('28'))
    return new ReadModelUnavailableError(
      `${where}: the server refused the login (${reason}); check the URL's user and password`,
      cause,
    );
  if (code.startsWith('08') || code.startsWith('57P') || code.startsWith('53'))
    return new ReadModelUnavailableError(
      `${where}: ${reason} (SQLSTATE ${code}); try again once the server is back`,
      cause,
    );
  if (code === '40001' || code === '40P01' || code === '55P03')
    return new ReadModelConflictError(
      `${where}: ${reason} (SQLSTATE ${code}): another transaction got there first; nothing was written, try again`,
      cause,
    );
  if (code === '42P01' || code === '42703' || code === '3F000')
    return new ReadModelSchemaError(
      `${where}: ${reason} (SQLSTATE ${code}): its tables are not those this nhagiao reads (changed or dropped meanwhile); reopen it, or rebuild the read model`,
      cause,
    );
  if (code === 'XX001' || code === 'XX002')
    return new ReadModelCorruptError(
      `${where}: ${reason} (SQLSTATE ${code}); rebuild the read model from the log`,
      cause,
    );
  return error;
};

/** The URL without its password, to name a database in a message. */
export const describePostgresUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the PostgreSQL URL given';
  }
};
