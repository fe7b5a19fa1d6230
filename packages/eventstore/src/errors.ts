import type { ExpectedRevision } from './port.js';

/** Stable codes of the errors an event store raises; callers (HTTP, CLI) map codes, not classes. */
export type EventStoreErrorCode =
  'concurrency' | 'id-conflict' | 'store-unavailable' | 'store-locked';

/** Base of every error the event store adapters raise; vendor errors stay inside the adapter as `cause`. */
export abstract class EventStoreError extends Error {
  abstract readonly code: EventStoreErrorCode;
}

const describeExpected = (expected: ExpectedRevision): string =>
  typeof expected === 'bigint' ? `revision ${expected}` : expected;

/** The stream was not at the revision the writer expected: someone else wrote first. */
export class ConcurrencyError extends EventStoreError {
  override readonly name = 'ConcurrencyError';
  readonly code = 'concurrency';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or null when the stream does not exist. */
    readonly actual: bigint | null,
    options?: { cause?: unknown },
  ) {
    super(
      `stream ${stream}: expected ${describeExpected(expected)}, but ${
        actual === null ? 'the stream does not exist' : `it is at revision ${actual}`
      }`,
      options,
    );
  }
}

/** An event id is already stored with another type or data; nothing of the write was stored. */
export class IdConflictError extends EventStoreError {
  override readonly name = 'IdConflictError';
  readonly code = 'id-conflict';
  constructor(
    readonly id: string,
    /** The stream the rejected write was for. */
    readonly stream: string,
    /** The stream the id is already stored in, when the adapter knows it. */
    readonly storedStream?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `event id ${id} (stream ${stream}) is already stored${
        storedStream === undefined ? '' : ` in stream ${storedStream}`
      } with another type or data; an id may be sent again only with the same content`,
      options,
    );
  }
}

/** The store cannot be reached or used (closed, read-only, missing file, server down). */
export class StoreUnavailableError extends EventStoreError {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'store-unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Another process already writes to this store; only one writer at a time is allowed. */
export class StoreLockedError extends EventStoreError {
  override readonly name = 'StoreLockedError';
  readonly code = 'store-locked';
  constructor(
    readonly path: string,
    /** Process id of the current writer, when it could be read. */
    readonly holderPid?: number,
    options?: { cause?: unknown },
  ) {
    super(
      `the event store ${path} is already open for writing by another process${
        holderPid === undefined ? '' : ` (pid ${holderPid})`
      }; stop it, or open the store with { readOnly: true } to read while it runs`,
      options,
    );
  }
}
