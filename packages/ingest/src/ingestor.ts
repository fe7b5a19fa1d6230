import type { EventStore } from '@nhagiao/eventstore/core';
import { appendDecidedWrites } from './decided-append.js';
import { DecidedWrites } from './decided-writes.js';
import { ReadAhead, noEvents } from './read-ahead.js';
import { HoldingIndex } from './holdings.js';
import type { QuarantineStore } from './quarantine.js';
import { QuarantineWriter } from './quarantine-writer.js';
import { SeenIds } from './seen-ids.js';
import { StreamStateCache } from './stream-cache.js';
import { Submission } from './submission.js';
import {
  type AppendDecidedOptions,
  type DecidedAppended,
  type IngestOptions,
  type IngestReport,
  type InputItem,
  type ItemOutcome,
  isChunked,
} from './types.js';

export { vietnamDay } from './submission.js';

export interface IngestorDeps {
  readonly store: EventStore;
  /** Where rejected items are kept; none means they are only reported. */
  readonly quarantine?: QuarantineStore;
  /** Accepted events appended per store call (default 2,000): the window of a store without transactions. */
  readonly batchSize?: number;
  readonly clock?: () => Date;
  /**
   * What the ingestor keeps in memory of the streams it read: at most `streams`
   * stream states (default 50,000) and `storedEvents` stored events for
   * duplicate checks (default 100,000); beyond, the least recently used are
   * read again when needed.
   */
  readonly memory?: { readonly streams?: number; readonly storedEvents?: number };
}

/**
 * Items validated and looked up together. Large enough that the one wait per chunk
 * is cheap per item; small enough that a store without a local index (EventStoreDB)
 * is not flooded by the concurrent lookups.
 */
const CHUNK = 500;

/** Items in arrays of up to `size`: synchronously from an array, without one wait per item from a stream. */
async function* chunksOf(
  items: AsyncIterable<InputItem> | Iterable<InputItem>,
  size: number,
): AsyncGenerator<readonly InputItem[]> {
  if (Symbol.iterator in items) {
    let chunk: InputItem[] = [];
    for (const item of items) {
      chunk.push(item);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
    return;
  }
  let chunk: InputItem[] = [];
  if (isChunked(items)) {
    for await (const part of items.chunks()) {
      for (const item of part) chunk.push(item);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
  } else {
    for await (const item of items) {
      chunk.push(item);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

class Rollback extends Error {}

/**
 * The write side: every submission (an NDJSON file, an HTTP batch) goes through
 * here, as a `Submission` that decides its items against the stream states of a
 * `StreamStateCache` and keeps its rejections through a `QuarantineWriter`.
 *
 * All-or-nothing by default. On a store with transactions (SQLite) the whole
 * submission is one transaction, appended as it is read, so memory stays flat
 * and a crash mid-way leaves nothing of it. On a store without (EventStoreDB) the
 * accepted events are held until the end and appended only when none was
 * rejected; a large file is first checked whole (`check`: decided, nothing
 * appended, the decided writes kept in a file), then those writes are appended
 * window by window (`appendDecided`), each stream in as few calls as the append
 * limit allows, without waiting for each answer. `partial` mode decides and
 * appends window by window (`batchSize` events) in one pass.
 *
 * Submissions are serialised: one runs at a time per ingestor.
 */
export class Ingestor {
  readonly #store: EventStore;
  readonly #quarantine: QuarantineStore | undefined;
  readonly #batchSize: number;
  readonly #clock: () => Date;
  readonly #memory: IngestorDeps['memory'];
  /** Opened by the first submission. */
  #holdings: HoldingIndex | undefined;
  #cache: StreamStateCache | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** The running submission's `knownStreams`. */
  #known: ReadonlySet<string> | undefined;
  /** The store's reads as the cache makes them: streams known to be absent are not read. */
  readonly #reader: Pick<EventStore, 'readStream'> = {
    readStream: (stream, readOptions) =>
      this.#known?.has(stream) === false ? noEvents() : this.#store.readStream(stream, readOptions),
  };

  constructor(deps: IngestorDeps) {
    this.#store = deps.store;
    this.#quarantine = deps.quarantine;
    this.#batchSize = deps.batchSize ?? 2000;
    this.#clock = deps.clock ?? (() => new Date());
    this.#memory = deps.memory;
  }

  /**
   * Closes the holdings' temporary database (removed then), once no submission
   * runs; a later submission opens another and reads its streams again.
   */
  close(): void {
    this.#holdings?.close();
    this.#holdings = undefined;
    this.#cache = undefined;
  }

  ingest(
    items: AsyncIterable<InputItem> | Iterable<InputItem>,
    options: IngestOptions,
  ): Promise<IngestReport> {
    const run = this.#queue.then(() => this.#ingest(items, options));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #ingest(
    items: AsyncIterable<InputItem> | Iterable<InputItem>,
    options: IngestOptions,
  ): Promise<IngestReport> {
    const started = performance.now();
    const mode = options.mode ?? 'all-or-nothing';
    const check = options.check === true;
    const store = this.#store;
    const transactional = store.transaction !== undefined;
    const holdings = (this.#holdings ??= new HoldingIndex());
    // EventStoreDB checks an id within its stream only (`findEvent`), where SQLite has a
    // global index: there the stream's ids, read with it once, answer the lookups.
    this.#known = transactional ? undefined : options.knownStreams;
    const cache = (this.#cache ??= new StreamStateCache(this.#reader, holdings, {
      idsByStream: !transactional,
      ...(this.#memory?.streams === undefined ? {} : { capacity: this.#memory.streams }),
      ...(this.#memory?.storedEvents === undefined
        ? {}
        : { maxRecords: this.#memory.storedEvents }),
    }));
    const now = this.#clock();
    const quarantine = new QuarantineWriter(this.#quarantine, {
      receivedAt: now.toISOString(),
      source: options.source,
      ...(options.actor ? { actorId: options.actor.id } : {}),
    });
    const seen = check ? new SeenIds() : undefined;
    const decided =
      check && options.decided !== undefined ? new DecidedWrites(options.decided) : undefined;
    const submission = new Submission(
      {
        store,
        cache,
        holdings,
        quarantine,
        now,
        ...(seen ? { seen } : {}),
        ...(decided ? { decided } : {}),
      },
      options,
    );

    const failedWhole = (): boolean => mode === 'all-or-nothing' && submission.rejected > 0;
    const windowed = !transactional && !check && mode === 'partial';
    const afterChunk = async (lastLine: number): Promise<void> => {
      if (submission.buffered < this.#batchSize) return;
      // Appending as we go is only safe where a rollback can undo it; a check appends nothing.
      if (check || (transactional && !failedWhole()) || windowed) await submission.flush();
      if (windowed) options.onStored?.(lastLine);
    };
    let lastLine = 0;
    const readAhead = transactional ? undefined : new ReadAhead(cache);
    const handle = async (
      chunk: readonly InputItem[],
      next: readonly InputItem[] | undefined,
    ): Promise<void> => {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      if (next !== undefined) readAhead?.start(next);
      await submission.handleChunk(chunk);
      lastLine = chunk[chunk.length - 1]?.line ?? lastLine;
      await afterChunk(lastLine);
    };
    const body = async (): Promise<void> => {
      // One chunk ahead: its streams are read while the one before is decided.
      let current: readonly InputItem[] | undefined;
      for await (const chunk of chunksOf(items, CHUNK)) {
        if (current !== undefined) await handle(current, chunk);
        current = chunk;
      }
      if (current !== undefined) await handle(current, undefined);
      await readAhead?.settled();
      if (failedWhole()) throw new Rollback();
      await submission.flush();
      if (windowed) options.onStored?.(lastLine);
      // A check leaves nothing behind: what it decided is forgotten like a rollback.
      if (check) throw new Rollback();
    };

    let rolledBack = false;
    holdings.begin();
    // A check whose decisions are appended as decided does not keep its reads (`keepReads`).
    cache.begin(
      options.signal,
      check && decided === undefined,
      seen ? (stream) => seen.ofStream(stream) : undefined,
    );
    try {
      if (store.transaction && !check) await store.transaction(body);
      else await body();
      holdings.commit();
      cache.commit();
    } catch (e) {
      await readAhead?.settled();
      holdings.rollback();
      if (!(e instanceof Rollback)) {
        // A store without transactions keeps what a partial submission appended
        // before it failed, and another writer may have raced it: read again.
        cache.rollback(true);
        decided?.remove();
        throw e;
      }
      if (decided !== undefined) {
        // What a clean check decided is appended as decided (`appendDecided`), which reads nothing.
        cache.rollback(false);
        if (submission.rejected > 0) decided.remove();
      } else if (check && submission.rejected === 0) {
        // A clean check is followed by its appending pass: the streams it read stay known.
        holdings.begin();
        cache.keepReads();
        holdings.commit();
      } else cache.rollback(false);
      rolledBack = true;
    } finally {
      this.#known = undefined;
      quarantine.flush();
      seen?.close();
      decided?.close();
    }
    let tentative = submission.tentative;
    if (rolledBack) {
      // Everything valid of a rejected all-or-nothing submission is reported as not appended.
      tentative = tentative.map((o) => ({ line: o.line, id: o.id ?? '', status: 'not-appended' }));
      tentative.push(...submission.unappended());
    } else {
      quarantine.resolve();
    }
    const keep = options.keepOutcomes ?? true;
    const outcomes: ItemOutcome[] = submission.outcomes;
    if (keep && !check) for (const o of tentative) outcomes.push(o);
    if (keep) outcomes.sort((a, b) => a.line - b.line);
    options.onProgress?.({ phase: 'append', done: submission.seen });
    return {
      source: options.source,
      appended: rolledBack ? 0 : submission.appended,
      ...(check ? { checked: submission.checked } : {}),
      duplicates: submission.duplicates,
      rejected: submission.rejected,
      items: outcomes,
      durationMs: performance.now() - started,
    };
  }

  /**
   * Appends the writes a clean check decided (its `decided` file), window by
   * window in the order decided, each stream's events in as few calls as the
   * append limit allows; on a store that takes writes without waiting for each
   * answer (`PipelinedAppends`), a window goes that way. Each write expects the
   * revision the check found, so a stream another writer moved since stops
   * this (`stopped`, a `ConcurrencyError`) instead of writing anything twice:
   * the windows before it are stored (`onStored` marked them), and the caller
   * decides the rest again. The streams it wrote are read again by the next
   * submission.
   */
  appendDecided(file: string, options: AppendDecidedOptions = {}): Promise<DecidedAppended> {
    const run = this.#queue.then(() => this.#appendDecided(file, options));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #appendDecided(file: string, options: AppendDecidedOptions): Promise<DecidedAppended> {
    try {
      return await appendDecidedWrites(this.#store, file, options);
    } finally {
      // The stream states known here are from before these appends.
      this.close();
    }
  }
}

export const createIngestor = (deps: IngestorDeps): Ingestor => new Ingestor(deps);
