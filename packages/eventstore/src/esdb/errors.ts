import {
  AccessDeniedError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  UnavailableError,
  WrongExpectedVersionError,
  isCommandError,
} from '@eventstore/db-client';
import { ConcurrencyError, EventStoreError, StoreUnavailableError } from '../errors.js';
import type { ExpectedRevision } from '../port.js';
import { toActualRevision } from './mapping.js';

/**
 * Errors after which the same call may simply be made again: the node is not
 * the leader (the client reconnects to the one it names), cannot be reached, or
 * did not answer in time. Every call the adapter retries is idempotent (reads,
 * and appends that check their ids against the stream first).
 */
/**
 * A read of `$all` that the server ended, without an error, before the
 * position it was to reach: read on from the last event it gave.
 */
export class ReadEndedEarlyError extends Error {
  constructor(until: bigint) {
    super(`the server ended the read of $all before position ${until}, without an error`);
    this.name = 'ReadEndedEarlyError';
  }
}

export const isTransient = (error: unknown): boolean =>
  error instanceof ReadEndedEarlyError ||
  error instanceof NotLeaderError ||
  error instanceof UnavailableError ||
  error instanceof DeadlineExceededError;

const permanentMessage = (error: unknown, doing: string): string | undefined => {
  if (error instanceof AccessDeniedError) {
    return (
      `EventStoreDB refused the ${doing}: access denied (${error.message}). ` +
      'Give a user in the connection string (esdb://USER:PASSWORD@host:2113?tls=true) whose ' +
      'credentials are right and who may read $all (an admin, or a user in the read ACL of ' +
      '$all, set as metadata of the stream $$$all) and write nhagiao streams'
    );
  }
  if (error instanceof MaxAppendSizeExceededError) {
    return (
      `EventStoreDB refused the ${doing}: the events are over the server's append limit of ` +
      `${error.maxAppendSize} bytes (MaxAppendSize). Send fewer or smaller events per call, ` +
      'or raise MaxAppendSize on the server'
    );
  }
  return undefined;
};

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
  const permanent = permanentMessage(error, doing);
  if (permanent !== undefined) return new StoreUnavailableError(permanent, { cause: error });
  const reason =
    error instanceof Error && isCommandError(error)
      ? `${error.type}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return new StoreUnavailableError(`EventStoreDB ${doing} failed (${reason})`, { cause: error });
};

export interface RetryPolicy {
  /** First wait after a transient error; doubles on each one in a row, up to maxDelayMs. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** No new attempt starts once this long has passed since the first; the last error is thrown. */
  readonly giveUpAfterMs: number;
}

/** The wait before attempt `attempt + 1`: doubling from initialDelayMs, at most maxDelayMs. */
export const retryDelayMs = (policy: RetryPolicy, attempt: number): number =>
  Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs an idempotent call, again after a transient error with bounded
 * exponential backoff; any other error (and a transient one past the time
 * bound) fails at once through toStoreError.
 */
export const retrying = async <T>(
  doing: string,
  policy: RetryPolicy,
  run: () => Promise<T>,
  onRetry: (error: unknown, attempt: number, delayMs: number) => void = () => undefined,
): Promise<T> => {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const delayMs = retryDelayMs(policy, attempt);
      if (!isTransient(error) || Date.now() - started + delayMs > policy.giveUpAfterMs) {
        throw toStoreError(error, doing);
      }
      onRetry(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
};
