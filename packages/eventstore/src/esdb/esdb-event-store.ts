import type { Envelope, RecordedEvent } from '@nhagiao/domain';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { canonicalJson } from '../canonical-json.js';
import { ConcurrencyError, IdConflictError, StoreUnavailableError } from '../errors.js';
import type {
  AppendOutcome,
  AppendResult,
  BatchReadOptions,
  BatchReads,
  EventStore,
  ExpectedRevision,
  PipelinedAppends,
  ReadOptions,
  StreamWrite,
  SubscriptionMessage,
} from '../port.js';
import { type RetryPolicy, isTransient, retryDelayMs, retrying, toStoreError } from './errors.js';
import { toExpectedRevision } from './mapping.js';
import {
  PAGE_SIZE,
  filteredAllPages,
  lastNhagiaoPosition,
  nhagiaoEventAt,
  readStreamPage,
} from './read.js';
import { RecordedAtClamp, latestTimeBefore } from './recorded-at.js';
import { type EsdbLogger, type ResubscribePolicy, subscribeAll } from './subscribe.js';

export interface EsdbEventStoreOptions {
  /** Where resubscriptions are reported; nothing is logged by default. */
  readonly logger?: EsdbLogger;
  readonly resubscribe?: Partial<ResubscribePolicy>;
  /** Retries of idempotent calls on not-leader, unavailable or deadline exceeded. */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * How far the server's clock may run behind the latest time it stamped
   * (after a leader change), for `recordedAt` made monotone from the middle of
   * `$all` (see recorded-at.ts). Default 2,000 ms.
   */
  readonly maxClockStepBackMs?: number;
}

/** An append the server has taken: the stream's last revision now, and the outcomes to come. */
interface Written {
  readonly last: bigint;
  readonly outcomes: Promise<AppendOutcome[]>;
}

const silent: EsdbLogger = { warn: () => undefined };

const satisfies = (expected: ExpectedRevision, actual: bigint | null): boolean =>
  expected === 'any' ||
  (expected === 'no-stream' && actual === null) ||
  (expected === 'exists' && actual !== null) ||
  (typeof expected === 'bigint' && expected === actual);

const utf8 = new TextEncoder();

/**
 * An event as the client sends it: JSON data, and its metadata as the bytes of
 * its JSON, which the client passes on as they are (the same bytes it would
 * send for the object, without encoding them to base64 and back on the way).
 */
const proposed = (e: Envelope) =>
  jsonEvent({
    id: e.id,
    type: e.type,
    data: e.data as Record<string, unknown>,
    metadata: utf8.encode(JSON.stringify(e.metadata ?? {})),
  });

/** Every event of a stream, paged; empty when it does not exist. */
const wholeStream = async (
  client: EventStoreDBClient,
  stream: string,
): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  for (;;) {
    const page = await readStreamPage(client, stream, BigInt(out.length));
    out.push(...page);
    if (page.length < PAGE_SIZE) return out;
  }
};

/**
 * The event store on EventStoreDB (22+, or KurrentDB) through
 * `@eventstore/db-client`: `openEsdbEventStore('esdb://host:2113?tls=false')`.
 * Positions are `$all` commit positions; `recordedAt` is the server's `created`.
 */
export const openEsdbEventStore = (
  connectionString: string,
  options: EsdbEventStoreOptions = {},
): EventStore & BatchReads & PipelinedAppends => {
  let client: EventStoreDBClient;
  try {
    client = EventStoreDBClient.connectionString(connectionString);
  } catch (error) {
    throw new StoreUnavailableError(`invalid EventStoreDB connection string: ${String(error)}`, {
      cause: error,
    });
  }
  const logger = options.logger ?? silent;
  const policy: ResubscribePolicy = {
    initialDelayMs: options.resubscribe?.initialDelayMs ?? 100,
    maxDelayMs: options.resubscribe?.maxDelayMs ?? 5_000,
    maxAttempts: options.resubscribe?.maxAttempts ?? Number.POSITIVE_INFINITY,
    giveUpAfterMs: options.resubscribe?.giveUpAfterMs ?? 120_000,
  };
  const retryPolicy: RetryPolicy = {
    initialDelayMs: options.retry?.initialDelayMs ?? 50,
    maxDelayMs: options.retry?.maxDelayMs ?? 2_000,
    giveUpAfterMs: options.retry?.giveUpAfterMs ?? 30_000,
  };
  const closing = new AbortController();
  const maxStepBackMs = options.maxClockStepBackMs ?? 2_000;
  /** The latest server time of the nhagiao events up to and including `position`. */
  const latestTimeUpTo = async (position: bigint): Promise<number> => {
    const before = await latestTimeBefore(client, position, maxStepBackMs);
    const at = await nhagiaoEventAt(client, position);
    return at === undefined ? before : Math.max(before, Date.parse(at.recordedAt));
  };

  /**
   * Where the last read of `$all` through this store got to, and the latest
   * time up to there: a read that goes on from that position (a catch-up
   * after a replay) starts its clamp there instead of reading back for it,
   * and gives the times the first read would have given had it gone on.
   */
  let readUpTo: { readonly position: bigint; readonly floorMs: number } | undefined;
  const floorAt = async (position: bigint): Promise<number> =>
    readUpTo?.position === position
      ? readUpTo.floorMs
      : guard('read of $all for the time before a position', () => latestTimeUpTo(position));

  const ensureOpen = (): void => {
    if (closing.signal.aborted) throw new StoreUnavailableError('the EventStoreDB store is closed');
  };

  /**
   * Writes events none of which is stored, with the caller's expected revision.
   * Resolves once the server has taken them, with their outcomes to come: the
   * append answers with the last event's position only, so the others are
   * read back (one page read, retried on its own), while the caller may go on.
   */
  const writeFresh = async (
    stream: string,
    fresh: readonly Envelope[],
    expected: ExpectedRevision,
  ): Promise<Written> => {
    const result = await client
      .appendToStream(stream, fresh.map(proposed), {
        expectedRevision: toExpectedRevision(expected),
        requiresLeader: true,
      })
      .catch((error: unknown) => {
        // Left to the retry around the whole append, which checks the ids again first.
        if (isTransient(error)) throw error;
        throw toStoreError(error, `append to ${stream}`, { stream, expected });
      });
    const last = result.nextExpectedRevision;
    const first = last - BigInt(fresh.length) + 1n;
    const toOutcomes = (positions: readonly bigint[]): AppendOutcome[] =>
      fresh.map((e, i) => {
        const position = positions[i];
        if (position === undefined) {
          throw new StoreUnavailableError(
            `EventStoreDB did not give back event ${e.id} of ${stream}`,
          );
        }
        return { id: e.id, status: 'appended', position, revision: first + BigInt(i) };
      });
    const outcomes =
      fresh.length === 1 && result.position
        ? Promise.resolve(toOutcomes([result.position.commit]))
        : guard(`read of ${stream}`, () =>
            readStreamPage(client, stream, first, fresh.length),
          ).then((read) => toOutcomes(read.map((e) => e.position)));
    // Awaited by the caller later; a failure must not count as unhandled meanwhile.
    outcomes.catch(() => undefined);
    return { last, outcomes };
  };

  /**
   * Whether a write may go straight to the server, its ids unchecked here: the
   * caller vouches for them at a concrete revision (`idsChecked`). An append
   * that finds the stream elsewhere is refused by the server, and then checked
   * in full. Not without the caller's word, even for `no-stream`: the server
   * answers a re-append of events at the place they were first written as a
   * success without writing (its own idempotency), which would be taken for
   * an append here.
   */
  const direct = (write: StreamWrite): boolean =>
    write.events.length > 0 &&
    write.idsChecked === true &&
    (write.expected === 'no-stream' || typeof write.expected === 'bigint');

  /** The result of a write, once its fresh events' outcomes are known. */
  const resultOf = async (
    write: StreamWrite,
    known: ReadonlyMap<string, AppendOutcome>,
    written: Written,
  ): Promise<AppendResult> => {
    const all = new Map(known);
    for (const o of await written.outcomes) all.set(o.id, o);
    return {
      stream: write.stream,
      outcomes: write.events.map((e) => all.get(e.id) as AppendOutcome),
      nextExpected: written.last,
    };
  };

  /**
   * Our idempotency first (the stream is known, so its ids are checked before
   * writing), then the write of what is new with the caller's expected revision.
   * `trusting`: a first attempt may skip the check where `direct` allows.
   * Resolves once the write is taken, with its result to come (see writeFresh).
   */
  const appendOne = async (
    write: StreamWrite,
    trusting: boolean,
  ): Promise<{ readonly result: Promise<AppendResult> }> => {
    const { stream, events, expected } = write;
    if (trusting && direct(write)) {
      try {
        const written = await writeFresh(stream, events, expected);
        return { result: resultOf(write, new Map(), written) };
      } catch (error) {
        // The stream is not at `expected`: an earlier attempt's events, or another writer's.
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
    const stored = new Map((await wholeStream(client, stream)).map((e) => [e.id, e]));
    const current = stored.size === 0 ? null : BigInt(stored.size - 1);
    const fresh: Envelope[] = [];
    const known = new Map<string, AppendOutcome>();
    for (const event of events) {
      const previous = stored.get(event.id);
      if (previous === undefined) {
        fresh.push(event);
        continue;
      }
      if (
        previous.type !== event.type ||
        canonicalJson(previous.data) !== canonicalJson(event.data)
      ) {
        throw new IdConflictError(event.id, stream, previous.stream);
      }
      known.set(event.id, {
        id: event.id,
        status: 'duplicate',
        position: previous.position,
        revision: previous.revision,
      });
    }
    if (fresh.length === 0) {
      // An idempotent retry is not checked against `expected`: the stream may have moved on.
      if (events.length === 0 && !satisfies(expected, current)) {
        throw new ConcurrencyError(stream, expected, current);
      }
      return {
        result: Promise.resolve({
          stream,
          outcomes: [...known.values()],
          nextExpected: current ?? -1n,
        }),
      };
    }
    const written = await writeFresh(stream, fresh, expected);
    return { result: resultOf(write, known, written) };
  };

  /**
   * An append, retried on transient errors; only the first attempt may skip the
   * id check. Resolves once the server has taken it (the next append may go).
   */
  const guardedAppend = (
    write: StreamWrite,
  ): Promise<{ readonly result: Promise<AppendResult> }> => {
    let attempts = 0;
    return guard(`append to ${write.stream}`, () => appendOne(write, attempts++ === 0));
  };

  /**
   * Every call goes through here: idempotent, so retried on transient errors
   * (the client moves to the leader a not-leader answer names).
   */
  const guard = async <T>(doing: string, run: () => Promise<T>): Promise<T> => {
    ensureOpen();
    return retrying(doing, retryPolicy, run, (error, attempt, delayMs) =>
      logger.warn(`EventStoreDB ${doing} failed; retrying`, {
        attempt,
        delayMs,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  };

  /**
   * Where a read of `$all` ends: the head when it begins, or `until` if
   * earlier; null when there is nothing to read (an empty log, or a reader
   * already there: then no time before `after` is looked for either).
   */
  const readEnd = async (readOptions: BatchReadOptions): Promise<bigint | null> => {
    const head = await guard('read of the head of $all', () => lastNhagiaoPosition(client));
    if (head === null) return null;
    const { after, until } = readOptions;
    const end = until !== undefined && until < head ? until : head;
    return after !== undefined && after >= end ? null : end;
  };

  /**
   * `$all` filtered on the server, up to the head when the read began (or
   * `until`, if earlier). A drop mid-read on a transient error resubscribes
   * after the last page handed out, with the retry policy's backoff.
   */
  async function* readPages(
    readOptions: BatchReadOptions,
  ): AsyncGenerator<readonly RecordedEvent[]> {
    ensureOpen();
    const until = await readEnd(readOptions);
    if (until === null) return;
    const pageSize = readOptions.pageSize ?? PAGE_SIZE;
    let after = readOptions.after;
    const clamp = new RecordedAtClamp(after === undefined ? undefined : await floorAt(after));
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const page of filteredAllPages(
          client,
          after,
          until,
          pageSize,
          readOptions.signal,
        )) {
          after = (page.at(-1) as RecordedEvent).position;
          attempt = 1;
          const clamped = page.map((e) => clamp.apply(e));
          readUpTo = { position: after, floorMs: clamp.floorMs };
          yield clamped;
        }
        // Read to the end: no nhagiao event between the last one and `until`.
        if (readOptions.signal?.aborted !== true)
          readUpTo = { position: until, floorMs: clamp.floorMs };
        return;
      } catch (error) {
        const delayMs = retryDelayMs(retryPolicy, attempt);
        if (
          !isTransient(error) ||
          closing.signal.aborted ||
          Date.now() - started + delayMs > retryPolicy.giveUpAfterMs
        ) {
          throw toStoreError(error, 'read of $all');
        }
        logger.warn('EventStoreDB read of $all failed; resubscribing', {
          attempt,
          delayMs,
          after: after?.toString(),
          error: error instanceof Error ? error.message : String(error),
        });
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  }

  return {
    // EventStoreDB has no transaction across streams: a batch is written stream by stream.
    capabilities: { atomicBatches: false },
    append: async (stream, events, expected) =>
      (await guardedAppend({ stream, events, expected })).result,
    appendBatch: async (writes) => {
      // Appended one after another, in order; the positions read back meanwhile.
      const results: Promise<AppendResult>[] = [];
      for (const write of writes) {
        const { result } = await guardedAppend(write);
        result.catch(() => undefined);
        results.push(result);
      }
      return Promise.all(results);
    },
    appendPipelined: async (writes, pipeOptions = {}) => {
      ensureOpen();
      const unchecked = (write: StreamWrite): TypeError | undefined =>
        direct(write)
          ? undefined
          : new TypeError(
              `appendPipelined takes only writes whose ids are checked at a concrete revision (${write.stream})`,
            );
      if (Array.isArray(writes)) {
        const refused = (writes as readonly StreamWrite[]).map(unchecked).find((e) => e);
        if (refused !== undefined) throw refused;
      }
      const limit = Math.max(1, pipeOptions.inFlight ?? 64);
      const unanswered = new Set<Promise<void>>();
      /** The write of each stream not answered yet: the next one of that stream waits for it. */
      const pendingOf = new Map<string, Promise<void>>();
      /** Whether each write sent is answered with success, from the first not yet counted in `answered`. */
      const done: (boolean | undefined)[] = [];
      let answered = 0;
      let events = 0;
      let sent = 0;
      let failure: Error | undefined;
      const settle = (i: number, ok: boolean): void => {
        done[i - answered] = ok;
        let grown = 0;
        while (done[grown] === true) grown++;
        if (grown === 0) return;
        done.splice(0, grown);
        answered += grown;
        try {
          pipeOptions.onAnswered?.(answered);
        } catch (error) {
          // The caller could not take the news (its journal, say): nothing more is sent.
          failure ??= error instanceof Error ? error : new Error(String(error));
        }
      };
      // The client's BatchAppend call carries the requests in the order they are made
      // once it is open; while it opens, a later request can overtake the first. So the
      // first write goes alone, and a stream's next write is sent only once its last is
      // answered (an overtaking write would be refused by its expected revision anyway).
      try {
        for await (const write of writes) {
          if (failure !== undefined) break;
          const refused = unchecked(write);
          if (refused !== undefined) {
            failure = refused;
            break;
          }
          const { stream, expected } = write;
          const before = pendingOf.get(stream);
          if (before !== undefined) await before;
          if (failure !== undefined) break;
          const i = sent++;
          const answer: Promise<void> = client
            .appendToStream(stream, write.events.map(proposed), {
              expectedRevision: toExpectedRevision(expected),
              requiresLeader: true,
            })
            .then(
              () => {
                events += write.events.length;
                settle(i, true);
              },
              (error: unknown) => {
                failure ??= toStoreError(error, `append to ${stream}`, { stream, expected });
                settle(i, false);
              },
            )
            .finally(() => {
              unanswered.delete(answer);
              if (pendingOf.get(stream) === answer) pendingOf.delete(stream);
            });
          unanswered.add(answer);
          pendingOf.set(stream, answer);
          if (i === 0 || unanswered.size >= limit) await Promise.race(unanswered);
        }
      } catch (error) {
        // The writes could not be read on (the caller's source failed): what is sent is awaited.
        failure ??= error instanceof Error ? error : new Error(String(error));
      }
      await Promise.all(unanswered);
      return failure === undefined ? { answered, events } : { answered, events, failure };
    },
    async *readStream(stream, readOptions = {}) {
      ensureOpen();
      let from = 0n;
      for (;;) {
        if (readOptions.signal?.aborted) return;
        const page = await guard(`read of ${stream}`, () => readStreamPage(client, stream, from));
        yield* page;
        if (page.length < PAGE_SIZE) return;
        from += BigInt(page.length);
      }
    },
    async *readAll(readOptions: ReadOptions = {}) {
      for await (const page of readPages(readOptions)) yield* page;
    },
    readAllBatches: (batchOptions: BatchReadOptions = {}) => readPages(batchOptions),
    subscribe(readOptions: ReadOptions = {}): AsyncIterable<SubscriptionMessage> {
      ensureOpen();
      return subscribeAll(client, readOptions, closing.signal, policy, logger, latestTimeUpTo);
    },
    head: () => guard('read of the head of $all', () => lastNhagiaoPosition(client)),
    readAt: (position) =>
      guard(`read of $all at ${position}`, async () => {
        const event = await nhagiaoEventAt(client, position);
        if (event === undefined) return undefined;
        return new RecordedAtClamp(await latestTimeBefore(client, position, maxStepBackMs)).apply(
          event,
        );
      }),
    // Ids are only checked within their stream: EventStoreDB has no global id index,
    // and no stream has an empty name.
    findEvent: async (stream, id) =>
      stream === ''
        ? undefined
        : guard(`read of ${stream}`, async () =>
            (await wholeStream(client, stream)).find((e) => e.id === id),
          ),
    close: async () => {
      if (closing.signal.aborted) return;
      closing.abort();
      await client.dispose();
    },
  };
};
