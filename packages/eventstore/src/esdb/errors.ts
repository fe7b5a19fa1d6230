import { WrongExpectedVersionError, isCommandError } from '@eventstore/db-client';
import { ConcurrencyError, EventStoreError, StoreUnavailableError } from '../errors.js';
import type { ExpectedRevision } from '../port.js';
import { toActualRevision } from './mapping.js';

/**
 * Turns whatever the client threw into the project's own error, so vendor types
 * never leave the adapter; the original stays as `cause`.
 */
export const toStoreError = (
  error: unknown,
  doing: string,
  append?: { readonly stream: string; readonly expected: ExpectedRevision },
): Error => {
  if (error instanceof EventStoreError) return error;
  if (append && error instanceof WrongExpectedVersionError) {
    return new ConcurrencyError(
      append.stream,
      append.expected,
      toActualRevision(error.actualVersion),
      {
        cause: error,
      },
    );
  }
  const reason =
    error instanceof Error && isCommandError(error)
      ? `${error.type}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return new StoreUnavailableError(`EventStoreDB ${doing} failed (${reason})`, { cause: error });
};
