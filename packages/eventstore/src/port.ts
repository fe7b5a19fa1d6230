import type { Envelope, RecordedEvent } from '@nhagiao/domain';

/**
 * Optimistic concurrency for an append: `any` (no check), `no-stream` (the stream
 * must not exist), `exists` (it must), or the revision of its last event.
 */
export type ExpectedRevision = 'any' | 'no-stream' | 'exists' | bigint;

export interface StreamWrite {
  readonly stream: string;
  readonly events: readonly Envelope[];
  readonly expected: ExpectedRevision;
}

/** What became of one event of an append. */
export type AppendOutcome =
  | {
      readonly id: string;
      readonly status: 'appended';
      readonly position: bigint;
      readonly revision: bigint;
    }
  /** Already stored with the same type and data: nothing was written. */
  | {
      readonly id: string;
      readonly status: 'duplicate';
      readonly position: bigint;
      readonly revision: bigint;
    };

export interface AppendResult {
  readonly stream: string;
  readonly outcomes: readonly AppendOutcome[];
  /** Revision of the stream's last event after the append. */
  readonly nextExpected: bigint;
}

export type SubscriptionMessage =
  | { readonly kind: 'event'; readonly event: RecordedEvent }
  /** Everything stored when the subscription started has been delivered; live from here. */
  | { readonly kind: 'caught-up'; readonly position: bigint | null };

export interface ReadOptions {
  /** Only events strictly after this global position (exclusive). */
  readonly after?: bigint;
  readonly signal?: AbortSignal;
}

/**
 * The one event store port everything above it uses. Positions are global,
 * strictly increasing in commit order. Errors the adapters raise are the
 * project's own (`ConcurrencyError`, `IdConflictError`, `StoreUnavailableError`),
 * never a vendor's.
 */
export interface EventStore {
  /** Appends to one stream. Duplicates (same id, type and data) are reported, not written. */
  append(
    stream: string,
    events: readonly Envelope[],
    expected: ExpectedRevision,
  ): Promise<AppendResult>;
  /** Appends to several streams; all or nothing where `capabilities.atomicBatches`. */
  appendBatch(writes: readonly StreamWrite[]): Promise<AppendResult[]>;
  /** The events of one stream in revision order; empty when the stream does not exist. */
  readStream(
    stream: string,
    options?: { readonly signal?: AbortSignal },
  ): AsyncIterable<RecordedEvent>;
  /** The global log in position order. */
  readAll(options?: ReadOptions): AsyncIterable<RecordedEvent>;
  /** Catch-up then live: every event after `after`, once each, in order, until aborted or broken out of. */
  subscribe(options?: ReadOptions): AsyncIterable<SubscriptionMessage>;
  /** Position of the last stored event, or null when the store is empty. */
  head(): Promise<bigint | null>;
  close(): Promise<void>;
  readonly capabilities: { readonly atomicBatches: boolean };
}
