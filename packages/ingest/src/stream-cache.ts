import {
  type Envelope,
  type StreamState,
  evolve,
  initialState,
  recorderOf,
  streamKindOf,
} from '@nhagiao/domain';
import { createHash } from 'node:crypto';
import { type EventStore, canonicalJson } from '@nhagiao/eventstore/core';
import type { HoldingIndex } from './holdings.js';

/** A stream's decision state and where it ends. */
export interface StreamEntry {
  readonly state: StreamState;
  /** Revision of the stream's last event; null when the stream does not exist yet. */
  readonly revision: bigint | null;
}

/**
 * What deciding an event sent again with a stored id needs of the stored event
 * (duplicate or id conflict, and where it is): its data only as a digest.
 */
export interface StoredEvent {
  readonly id: string;
  readonly stream: string;
  readonly type: string;
  /** `dataDigest` of its data. */
  readonly digest: string;
  readonly position: bigint;
  readonly revision: bigint;
}

/**
 * SHA-256 (base64) of the canonical JSON of an event's data: two events carry
 * the same data, as `canonicalJson` compares it, when their digests are equal
 * (a collision of SHA-256 aside).
 */
export const dataDigest = (data: unknown): string =>
  createHash('sha256').update(canonicalJson(data)).digest('base64');

/** Event types as one string each, however many events of the type are kept (the product's few). */
const TYPES = new Map<string, string>();
const MAX_TYPES = 256;
const typeOf = (type: string): string => {
  const known = TYPES.get(type);
  if (known !== undefined) return known;
  if (TYPES.size < MAX_TYPES) TYPES.set(type, type);
  return type;
};

/** Fields of event data that name another stream a decision consults. */
const UNIT_FIELDS = ['unitId', 'toUnitId', 'intoUnitId'] as const;

/**
 * Decision states of streams, each read from the store once: what is committed
 * (kept across submissions, up to `capacity` streams, the oldest dropped first)
 * and, over it, what the running submission has decided. The streams a decision
 * consults (units with their merge chains, programmes) are loaded here too, so
 * that authority and decisions follow the log, never what happens to be cached.
 * Teachers' holdings are not here but in the holding index.
 */
export class StreamStateCache {
  readonly #store: Pick<EventStore, 'readStream'>;
  readonly #holdings: HoldingIndex;
  readonly #capacity: number;
  readonly #committed = new Map<string, StreamEntry>();
  /** States decided by the running submission, not committed yet. */
  readonly #overlay = new Map<string, StreamEntry>();
  /** Streams read from the store by the running submission: their holdings go if it is rolled back. */
  readonly #loadedNow: string[] = [];
  /** Stream reads under way, so that concurrent loads of one stream read it once. */
  readonly #loading = new Map<string, Promise<StreamEntry>>();
  /**
   * The stored events of each committed stream by id, where a store checks ids
   * within their stream only: the stream read once answers every lookup of an
   * id in it, duplicate or conflict, without reading it again. Bounded with the
   * streams (`capacity`); a digest of each event's data, not the data.
   */
  readonly #ids: Map<string, Map<string, StoredEvent>> | undefined;
  /** Stored events kept in `#ids`, all streams together. */
  #records = 0;
  readonly #maxRecords: number;
  /**
   * In a check: the events it accepted in a stream in earlier windows (the
   * store does not hold them), folded after the stream's stored events when a
   * stream whose state was let go is read again.
   */
  #pending: ((stream: string) => readonly Envelope[]) | undefined;
  #signal: AbortSignal | undefined;
  /**
   * In a check: the states of the streams it read, as folded (with their
   * holdings), so that what the store holds stays known after the check (see
   * `keepReads`). At most `capacity`, the oldest dropped first.
   */
  #folded: Map<string, StreamState> | undefined;

  constructor(
    store: Pick<EventStore, 'readStream'>,
    holdings: HoldingIndex,
    options: {
      readonly idsByStream: boolean;
      readonly capacity?: number;
      /** Stored events kept for duplicate checks, all streams together (default 100,000). */
      readonly maxRecords?: number;
    },
  ) {
    this.#store = store;
    this.#holdings = holdings;
    this.#capacity = options.capacity ?? 50_000;
    this.#maxRecords = options.maxRecords ?? 100_000;
    this.#ids = options.idsByStream ? new Map() : undefined;
  }

  /**
   * The event stored in `stream` under `id` (in the first of `forms` that is
   * stored), when the stream's ids are at hand: null when none is, undefined
   * when they are not at hand (ask the store).
   */
  storedIn(stream: string, forms: readonly string[]): StoredEvent | null | undefined {
    const ids = this.#ids?.get(stream);
    if (ids === undefined) return undefined;
    for (const id of forms) {
      const stored = ids.get(id);
      if (stored !== undefined) return stored;
    }
    return null;
  }

  /** An event just stored in `stream`: its ids now include it. */
  noteStored(
    stream: string,
    event: { readonly id: string; readonly type: string; readonly data: unknown },
    at: { readonly position: bigint; readonly revision: bigint },
  ): void {
    const ids = this.#ids?.get(stream);
    if (ids === undefined) return;
    if (!ids.has(event.id)) this.#records += 1;
    ids.set(event.id, {
      id: event.id,
      stream,
      type: typeOf(event.type),
      digest: dataDigest(event.data),
      position: at.position,
      revision: at.revision,
    });
  }

  #forget(stream: string): void {
    this.#committed.delete(stream);
    const ids = this.#ids?.get(stream);
    if (ids !== undefined) {
      this.#records -= ids.size;
      this.#ids?.delete(stream);
    }
  }

  /**
   * Starts a submission: nothing in the overlay. `check`: one that appends
   * nothing, whose reads of the store may be kept (`keepReads`).
   */
  begin(
    signal: AbortSignal | undefined,
    check = false,
    /** In a check: what it accepted in a stream so far (see `#pending`). */
    pending?: (stream: string) => readonly Envelope[],
  ): void {
    this.#overlay.clear();
    this.#loadedNow.length = 0;
    this.#signal = signal;
    this.#folded = check ? new Map() : undefined;
    this.#pending = pending;
  }

  /**
   * Keeps memory bounded while a submission runs, at a point where nothing it
   * decided waits in its buffer (all of it stored, or in a check, noted in the
   * check's own index, `pending`): streams read but not decided, beyond
   * `capacity` streams or `maxRecords` stored events, and streams decided,
   * beyond `capacity`, the least recently decided first, are let go. A stream
   * let go is read again when next needed: its stored events, then in a check
   * what the check accepted in it. A check without `pending` keeps what it decided.
   */
  trimWhileRunning(): void {
    let over = this.#committed.size - this.#capacity;
    for (const stream of this.#committed.keys()) {
      if (over <= 0 && this.#records <= this.#maxRecords) break;
      if (this.#overlay.has(stream) || this.#loading.has(stream)) continue;
      this.#forget(stream);
      over--;
    }
    if (this.#folded !== undefined && this.#pending === undefined) return;
    // Stored ids of streams decided are kept with their state, bounded with it below.
    let decided = this.#overlay.size - this.#capacity;
    for (const stream of this.#overlay.keys()) {
      if (decided-- <= 0) break;
      this.#overlay.delete(stream);
      this.#forget(stream);
    }
  }

  /**
   * Ends a check (nothing appended, its holdings rolled back): what it decided
   * goes, but the streams it read stay known as the store holds them, their
   * holdings put back (inside a holdings transaction of the caller's), so the
   * appending pass that follows does not read them again. A stream another
   * writer changes meanwhile is caught by the expected revision of its append.
   */
  keepReads(): void {
    const folded = this.#folded;
    this.#folded = undefined;
    for (const stream of this.#loadedNow) {
      const state = folded?.get(stream);
      const entry = this.#committed.get(stream);
      if (state === undefined || entry === undefined) this.#forget(stream);
      else
        this.#committed.set(stream, {
          state: this.#holdings.settle(stream, state, 'whole'),
          revision: entry.revision,
        });
    }
    this.#overlay.clear();
    this.#loadedNow.length = 0;
    this.#trim();
  }

  /** What the submission decided becomes committed; the oldest streams go beyond capacity. */
  commit(): void {
    for (const [stream, entry] of this.#overlay) {
      this.#committed.delete(stream);
      this.#committed.set(stream, entry);
    }
    this.#overlay.clear();
    this.#loadedNow.length = 0;
    this.#trim();
  }

  /**
   * The submission is undone: its states go, and so do the streams it read
   * (their holdings were rolled back with it). `unsure`: appends may have been
   * made (a store without transactions failed mid-way) or raced, so the streams
   * it decided are read again too.
   */
  rollback(unsure: boolean): void {
    this.#folded = undefined;
    for (const stream of this.#loadedNow) this.#forget(stream);
    if (unsure) for (const stream of this.#overlay.keys()) this.#forget(stream);
    this.#overlay.clear();
    this.#loadedNow.length = 0;
  }

  clear(): void {
    this.#committed.clear();
    this.#ids?.clear();
    this.#records = 0;
    this.#overlay.clear();
    this.#loadedNow.length = 0;
  }

  #trim(): void {
    let over = this.#committed.size - this.#capacity;
    for (const stream of this.#committed.keys()) {
      if (over-- <= 0 && this.#records <= this.#maxRecords) break;
      // Read again when next needed, its holdings replaced then (`settle(…, 'whole')`).
      this.#forget(stream);
    }
  }

  entryOf(stream: string): StreamEntry | undefined {
    return this.#overlay.get(stream) ?? this.#committed.get(stream);
  }

  /** Records what the submission decided for `stream` (the most recently decided last). */
  set(stream: string, entry: StreamEntry): void {
    this.#overlay.delete(stream);
    this.#overlay.set(stream, entry);
    // The state as read is not needed beside it (its stored ids are kept).
    if (this.#folded === undefined) this.#committed.delete(stream);
  }

  /** The stream's entry, read from the store (once, whoever asks meanwhile) when not at hand. */
  async load(stream: string): Promise<StreamEntry> {
    const known = this.entryOf(stream);
    if (known) return known;
    const running = this.#loading.get(stream);
    if (running) return running;
    const reading = this.#read(stream).finally(() => this.#loading.delete(stream));
    this.#loading.set(stream, reading);
    return reading;
  }

  /** Loads streams concurrently, at most `parallel` reads at a time. */
  async loadAll(streams: Iterable<string>, parallel: number): Promise<void> {
    const queue = [...streams].filter((s) => this.entryOf(s) === undefined);
    const worker = async (): Promise<void> => {
      for (let s = queue.pop(); s !== undefined; s = queue.pop()) await this.load(s);
    };
    await Promise.all(Array.from({ length: Math.min(parallel, queue.length) }, worker));
  }

  async #read(stream: string): Promise<StreamEntry> {
    let state = initialState(streamKindOf(stream));
    let revision: bigint | null = null;
    const history: Envelope[] = [];
    const ids = this.#ids === undefined ? undefined : new Map<string, StoredEvent>();
    for await (const e of this.#store.readStream(
      stream,
      this.#signal ? { signal: this.#signal } : {},
    )) {
      const envelope = e as unknown as Envelope;
      state = evolve(state, envelope, history);
      history.push(envelope);
      ids?.set(e.id, {
        id: e.id,
        stream,
        type: typeOf(e.type),
        digest: dataDigest(e.data),
        position: e.position,
        revision: e.revision,
      });
      revision = e.revision;
    }
    if (this.#folded !== undefined) {
      this.#folded.set(stream, state);
      if (this.#folded.size > this.#capacity)
        this.#folded.delete(this.#folded.keys().next().value as string);
    }
    // A stream a check decided in, let go and read again: what it accepted there follows.
    for (const envelope of this.#pending?.(stream) ?? []) {
      state = evolve(state, envelope, history);
      history.push(envelope);
      revision = revision === null ? 0n : revision + 1n;
    }
    const entry = { state: this.#holdings.settle(stream, state, 'whole'), revision };
    this.#committed.set(stream, entry);
    if (ids !== undefined) {
      this.#records += ids.size - (this.#ids?.get(stream)?.size ?? 0);
      this.#ids?.set(stream, ids);
    }
    this.#loadedNow.push(stream);
    return entry;
  }

  /** The first stream of a unit's merge chain not loaded yet, if any. */
  missingInChain(unitId: string): string | undefined {
    // Merges are rare: the set that stops a cycle is made only when there is one to follow.
    let visited: Set<string> | undefined;
    let next: string | undefined = unitId;
    while (next !== undefined) {
      const entry = this.entryOf(`unit-${next}`);
      if (entry === undefined) return `unit-${next}`;
      const into = (entry.state as { mergedInto?: string }).mergedInto;
      if (into === undefined) return undefined;
      visited ??= new Set();
      visited.add(next);
      next = visited.has(into) ? undefined : into;
    }
    return undefined;
  }

  /** The units a teacher works or last worked at: authority follows their merge chains. */
  teacherUnits(stream: string): string[] {
    const state = this.entryOf(stream)?.state;
    if (state?.kind !== 'teacher') return [];
    const units: string[] = [];
    if (state.job !== undefined) units.push(state.job.unitId);
    if (state.lastUnitId !== undefined) units.push(state.lastUnitId);
    return units;
  }

  /**
   * Whether every unit (with its merge chain) and the programme an envelope refers to
   * is at hand, and, for a key (`principalUnits`), the merge chains of its units and of
   * the teacher's units (a key's authority follows them).
   */
  referencesLoaded(
    envelope: Envelope,
    stream: string,
    principalUnits: readonly string[] | undefined,
  ): boolean {
    const data = envelope.data as Record<string, unknown>;
    for (const field of UNIT_FIELDS) {
      const value = data[field];
      if (typeof value === 'string' && this.missingInChain(value) !== undefined) return false;
    }
    if (principalUnits !== undefined)
      for (const unitId of [...principalUnits, ...this.teacherUnits(stream)])
        if (this.missingInChain(unitId) !== undefined) return false;
    return (
      typeof data.programmeId !== 'string' ||
      this.entryOf(`programme-${data.programmeId}`) !== undefined
    );
  }

  /** Loads the units (with their merge chains) and the programme an envelope refers to. */
  async loadReferences(
    envelope: Envelope,
    stream?: string,
    principalUnits?: readonly string[],
  ): Promise<void> {
    const data = envelope.data as Record<string, unknown>;
    const unitIds: unknown[] = UNIT_FIELDS.map((field) => data[field]);
    if (principalUnits !== undefined) unitIds.push(...principalUnits);
    if (stream !== undefined && principalUnits !== undefined)
      unitIds.push(...this.teacherUnits(stream));
    for (const value of unitIds) if (typeof value === 'string') await this.loadChain(value);
    if (
      typeof data.programmeId === 'string' &&
      this.entryOf(`programme-${data.programmeId}`) === undefined
    ) {
      await this.load(`programme-${data.programmeId}`);
    }
  }

  /** Loads a unit's merge chain. */
  async loadChain(unitId: string): Promise<void> {
    for (let m = this.missingInChain(unitId); m !== undefined; m = this.missingInChain(unitId))
      await this.load(m);
  }

  /** Loads the merges of the units of whoever recorded `target`: authority over it follows them. */
  async loadMergesOf(target: Envelope | undefined): Promise<void> {
    const recorder = recorderOf(target?.metadata);
    if (recorder.role === 'integrator')
      for (const unitId of recorder.units) await this.loadChain(unitId);
  }
}
