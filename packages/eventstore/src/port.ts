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
  /**
   * The caller has checked the events' ids against the stream as it stands at
   * `expected` (a revision, not `any` or `exists`): none is stored there. An
   * adapter that checks ids by reading the stream may then write straight
   * away, and falls back to its full check when the stream has moved on
   * (which reports duplicates of an earlier attempt, or the concurrency error)
   * and on every retry. A claim that is wrong for a stream at `expected` is
   * the caller's bug. (EventStoreDB itself answers a re-append of the same
   * ids at the same place as a success: events another writer stored with
   * these ids just after the caller's check are then reported `appended`.)
   */
  readonly idsChecked?: boolean;
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
  /** Revision of the stream's last event after the append; -1n when the stream still does not exist. */
  readonly nextExpected: bigint;
}

export type SubscriptionMessage =
  | { readonly kind: 'event'; readonly event: RecordedEvent }
  /**
   * Everything stored when the subscription started has been delivered; live from here.
   * Sent once. `position`: the last event delivered, else `after`, else null.
   */
  | { readonly kind: 'caught-up'; readonly position: bigint | null };

export interface ReadOptions {
  /** Only events strictly after this global position (exclusive). */
  readonly after?: bigint;
  /** Aborting ends the iteration quietly (no error), releasing everything it held. */
  readonly signal?: AbortSignal;
}

/**
 * A range of stream names, in the store's order of names (SQLite: UTF-8 bytes,
 * which orders them as code points): from `from` (included) to `to` (left
 * out); an end not given is open. A parallel replay gives each process one.
 */
export interface StreamRange {
  readonly from?: string;
  readonly to?: string;
}

/** Whether `stream` lies in `range`, comparing names as the stores order them (code points). */
export const inStreamRange = (stream: string, range: StreamRange): boolean =>
  (range.from === undefined || compareNames(stream, range.from) >= 0) &&
  (range.to === undefined || compareNames(stream, range.to) < 0);

/**
 * Code-point order, as SQLite compares UTF-8 text (`<` on strings compares UTF-16
 * units, which puts U+E000–U+FFFF after the surrogates of higher code points).
 * Without allocating: a replay's stamp pass asks it for every event.
 */
export const compareNames = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
};

/** A UTF-16 unit's place in code-point order: surrogates (code points past U+FFFF) after U+E000–U+FFFF. */
const codePointRank = (unit: number): number =>
  unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;

export interface BatchReadOptions extends ReadOptions {
  /** Events per page at most; the adapter's default when absent. */
  readonly pageSize?: number;
  /** Only events at or before this position. */
  readonly until?: bigint;
  /**
   * Only events of these types (none when empty), for a reader that needs a few
   * kinds out of the whole log (a unit's annual report finds its teachers so).
   * An adapter that cannot filter gives every event; callers check the type.
   */
  readonly types?: readonly string[];
  /**
   * False: the events' metadata is not read (given as `{}`), for replays that
   * never look at it (the ledger projection). Default true.
   */
  readonly metadata?: boolean;
}

/** What `readStreamBatches` reads: the streams of one kind, stream by stream. */
export interface StreamBatchReadOptions extends Pick<
  BatchReadOptions,
  'pageSize' | 'until' | 'metadata' | 'signal'
> {
  /** Streams whose name starts with this (`teacher-`). */
  readonly prefix: string;
  /** Only the streams of the prefix in this range. */
  readonly range?: StreamRange;
}

/**
 * Where a store lives, for a worker process that opens its own handle to it
 * (parallel replay). Only stores that can be opened again from elsewhere have one.
 */
export type StoreLocation = { readonly kind: 'sqlite'; readonly path: string };

/**
 * The one event store port everything above it uses. Positions are global,
 * strictly increasing in commit order. Errors the adapters raise are the
 * project's own (`ConcurrencyError`, `IdConflictError`, `StoreUnavailableError`,
 * `StoreLockedError`, see errors.ts), never a vendor's.
 *
 * Idempotency: an event whose id is stored with the same type and data (compared
 * as canonical JSON) is reported `duplicate` with its stored position and
 * revision, and not written again. A write whose events are all duplicates is an
 * idempotent retry and is not checked against `expected`. The same id with other
 * type or data rejects the whole write (`IdConflictError`).
 */
export interface EventStore {
  /** Appends to one stream. Duplicates (same id, type and data) are reported, not written. */
  append(
    stream: string,
    events: readonly Envelope[],
    expected: ExpectedRevision,
  ): Promise<AppendResult>;
  /**
   * Appends to several streams; all or nothing where `capabilities.atomicBatches`.
   * Also the bulk-import path: a few thousand events per call is one transaction.
   */
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
  /**
   * The stored event with this id, or undefined. The stream is where the caller
   * expects it; an adapter with a global id index (SQLite) also finds it elsewhere,
   * so a reused id is caught whatever stream it was first used in.
   */
  findEvent(stream: string, id: string): Promise<RecordedEvent | undefined>;
  /**
   * The event stored at exactly this global position, or undefined when none
   * is (a position inside a record included). Present where "the position
   * before" cannot be computed (EventStoreDB positions are byte offsets, and a
   * read may start only where a record does); elsewhere read after `position - 1`.
   */
  readAt?(position: bigint): Promise<RecordedEvent | undefined>;
  /**
   * Where the store has transactions (SQLite): runs `work` so that every append
   * made while it runs commits together, or none does if it throws. `readStream`
   * and `findEvent` inside see the work's own appends; `readAll` and `subscribe`
   * only ever see committed events. One unit of work at a time. Undefined where
   * the store has none (EventStoreDB): callers hold their events and append at the end.
   */
  transaction?<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly capabilities: { readonly atomicBatches: boolean };
  /** Present where another process can open the same store read-only. */
  readonly location?: StoreLocation;
}

/**
 * A capability an adapter may add to the port: the log in pages, for bulk
 * readers (rebuild, verify, reports) that would otherwise pay one promise per
 * event. Callers ask `hasBatchReads(store)` and fall back to `readAll`.
 */
export interface BatchReads {
  /**
   * The same log as `readAll`, in pages (each non-empty, in position order).
   * An adapter may leave `types` and `metadata` unapplied (callers check types).
   */
  readAllBatches(options?: BatchReadOptions): AsyncIterable<readonly RecordedEvent[]>;
}

/**
 * A further capability: the streams of one kind read stream after stream, and
 * cut into ranges for a replay in several processes (SQLite pages along its
 * (stream, revision) index; EventStoreDB has no such index). Callers ask
 * `hasStreamBatchReads(store)` and replay in position order otherwise.
 */
export interface StreamBatchReads extends BatchReads {
  /**
   * The events of every stream named `prefix…`, in pages: stream after stream in
   * the order of their names, each stream's events in revision order (a stream's
   * events may span pages). For a replay that takes one teacher at a time.
   */
  readStreamBatches(options: StreamBatchReadOptions): AsyncIterable<readonly RecordedEvent[]>;
  /**
   * `parts - 1` stream names, in order, that cut the streams named `prefix…`
   * into `parts` ranges of about as many events each (a stream is never cut):
   * range i runs from name i - 1 (the first: from the start) to name i (the
   * last: to the end). Names may repeat, leaving a range empty, when there are
   * few streams. With `readStreamBatches`, for a replay in several processes.
   */
  splitStreams(prefix: string, parts: number): Promise<string[]>;
}

/**
 * A capability of a store without transactions (EventStoreDB): writes a caller
 * has decided whole, sent without waiting for each answer. Callers ask
 * `hasPipelinedAppends(store)` and use `appendBatch` otherwise.
 */
export interface PipelinedAppends {
  /**
   * Appends `writes`, each with `idsChecked` at a concrete expected revision
   * (`no-stream` or a revision) and under the store's append limit; they may
   * come from an async source, read as they are sent, so a caller's memory
   * need not hold them all. They are sent in their order on one connection,
   * at most `inFlight` (default 64) unanswered at a time, so the server takes
   * them, and the log keeps them, in that order; their positions are not read
   * back. `onAnswered(n)` is called each time the first `n` writes are all
   * answered with success (n grows). Resolves once every write sent is
   * answered.
   *
   * Nothing is retried here: on the first failure (a stream not at its
   * expected revision — another writer's events, or an earlier attempt's — a
   * node that is not the leader or is gone, a source that throws) nothing more
   * is sent and the writes in flight are awaited; the outcome gives the
   * failure, as the project's own error (`ConcurrencyError`,
   * `StoreUnavailableError`) or the source's. The caller then decides the rest
   * again from what the store holds, where every call has the adapter's usual
   * retries and id checks; the writes in flight after a refused one may be
   * stored, ahead in the log of what is decided again for the refused stream.
   * A write without `idsChecked` is refused: given in
   * an array, before anything is sent (thrown); from a source, as a failure.
   */
  appendPipelined(
    writes: Iterable<StreamWrite> | AsyncIterable<StreamWrite>,
    options?: { readonly inFlight?: number; readonly onAnswered?: (answered: number) => void },
  ): Promise<PipelinedOutcome>;
}

/** What became of pipelined writes (`PipelinedAppends`). */
export interface PipelinedOutcome {
  /** How many writes, from the first, are all stored. */
  readonly answered: number;
  /** The events of every write stored (those after a refusal that were answered too). */
  readonly events: number;
  /** The first failure; the writes after it were not sent. */
  readonly failure?: Error;
}

/** Whether the store takes decided writes without waiting for each answer (`PipelinedAppends`). */
export const hasPipelinedAppends = <S extends EventStore>(
  store: S,
): store is S & PipelinedAppends =>
  typeof (store as Partial<PipelinedAppends>).appendPipelined === 'function';

/** Whether the store reads its log in pages (`BatchReads`). */
export const hasBatchReads = <S extends EventStore>(store: S): store is S & BatchReads =>
  typeof (store as Partial<BatchReads>).readAllBatches === 'function';

/** Whether the store reads its streams one after another and splits them (`StreamBatchReads`). */
export const hasStreamBatchReads = <S extends EventStore>(
  store: S,
): store is S & StreamBatchReads =>
  hasBatchReads(store) &&
  typeof (store as Partial<StreamBatchReads>).readStreamBatches === 'function' &&
  typeof (store as Partial<StreamBatchReads>).splitStreams === 'function';
