import {
  type AuthorityFacts,
  CANCELS,
  type DecisionLookup,
  DomainError,
  IMPORTED_BY,
  type Envelope,
  type FieldIssue,
  type Principal,
  RESERVED_METADATA,
  type RecordedEvent,
  type Result,
  SUBMITTED_AS,
  SUBMITTED_BY,
  type StreamState,
  VIETNAM_ZONE,
  authorise,
  cancelledFact,
  decide,
  err,
  evolve,
  initialState,
  parseSubmitted,
  recorderOf,
  streamKindOf,
  streamOf,
  submittedAs,
} from '@nhagiao/domain';
import { type EventStore, type StreamWrite, canonicalJson } from '@nhagiao/eventstore/core';
import { HoldingIndex } from './holdings.js';
import { firstDifference, isReportItem, signOffData } from './report.js';
import type { QuarantineEntry, QuarantineStore } from './quarantine.js';
import {
  type IngestOptions,
  type IngestReport,
  type InputItem,
  type ItemOutcome,
  isChunked,
} from './types.js';

interface StreamEntry {
  readonly state: StreamState;
  /** Revision of the stream's last event; null when the stream does not exist yet. */
  readonly revision: bigint | null;
}

interface Pending {
  readonly line: number;
  readonly stream: string;
  readonly envelope: Envelope;
  /** The stream's revision this event will get. */
  readonly revision: bigint;
}

/** What a sent id already names: a stored event, or one earlier in the same submission. */
interface SeenBefore {
  readonly previous: RecordedEvent | Envelope | undefined;
  readonly inBuffer: Pending | undefined;
}

export interface IngestorDeps {
  readonly store: EventStore;
  /** Where rejected items are kept; none means they are only reported. */
  readonly quarantine?: QuarantineStore;
  /** Accepted events appended per store call (default 2,000). */
  readonly batchSize?: number;
  readonly clock?: () => Date;
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

/** Rejected items kept per write to the quarantine. */
const QUARANTINE_WRITE = 1000;

/** The day of `instant` in Vietnam, YYYY-MM-DD: the recording day that bounds a submission's dates. */
const VIETNAM_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: VIETNAM_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
export const vietnamDay = (instant: Date): string => VIETNAM_DAY.format(instant);

/** Fields of event data that name another stream a decision consults. */
const UNIT_FIELDS = ['unitId', 'toUnitId', 'intoUnitId'] as const;

class Rollback extends Error {}

/**
 * The write side: every submission (an NDJSON file, an HTTP batch) goes through
 * here. Each item is validated (zod), checked for a duplicate id, authorised for
 * the actor's units, decided against its stream's state, and appended.
 *
 * All-or-nothing by default: on a store with transactions (SQLite) the whole
 * submission is one transaction, appended as it is read, so memory stays flat
 * and a crash mid-way leaves nothing of it; on other stores the accepted events
 * are held until the end and appended only when none was rejected.
 *
 * Submissions are serialised: one runs at a time per ingestor.
 */
export class Ingestor {
  readonly #store: EventStore;
  readonly #quarantine: QuarantineStore | undefined;
  readonly #batchSize: number;
  readonly #clock: () => Date;
  /**
   * Decision state of streams as committed, so a stream is read from the store
   * once. Teachers' holdings are not here but in `#holdings`.
   */
  readonly #committed = new Map<string, StreamEntry>();
  /** Opened by the first submission. */
  #holdings: HoldingIndex | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: IngestorDeps) {
    this.#store = deps.store;
    this.#quarantine = deps.quarantine;
    this.#batchSize = deps.batchSize ?? 2000;
    this.#clock = deps.clock ?? (() => new Date());
  }

  /**
   * Closes the holdings' temporary database (removed then), once no submission
   * runs; a later submission opens another and reads its streams again.
   */
  close(): void {
    this.#holdings?.close();
    this.#holdings = undefined;
    this.#committed.clear();
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
    const keep = options.keepOutcomes ?? true;
    const store = this.#store;
    /** Ids rejected earlier and still quarantined: those accepted now leave the quarantine. */
    const pendingIds = this.#quarantine?.quarantinedIds() ?? new Set<string>();
    const resolvedIds: string[] = [];
    const overlay = new Map<string, StreamEntry>();
    const outcomes: ItemOutcome[] = [];
    const quarantined: QuarantineEntry[] = [];
    let buffer: Pending[] = [];
    const bufferIds = new Map<string, Pending>();
    let appended = 0;
    let duplicates = 0;
    let rejected = 0;
    let seen = 0;
    const transactional = store.transaction !== undefined;
    const holdings = (this.#holdings ??= new HoldingIndex());
    /** Streams read from the store by this submission: their holdings go if it is rolled back. */
    const loadedNow: string[] = [];
    const now = this.#clock();
    const receivedAt = now.toISOString();
    const recordedOn = vietnamDay(now);
    const actor = options.actor;
    const principal: Principal | undefined =
      actor === undefined
        ? undefined
        : { keyId: actor.id, role: actor.role, units: [...(actor.units ?? [])] };
    /** What the ingestor adds to every accepted event's metadata. */
    const extra: Readonly<Record<string, string>> = {
      ...options.metadata,
      ...(principal === undefined
        ? {}
        : { [SUBMITTED_BY]: principal.keyId, [SUBMITTED_AS]: submittedAs(principal) }),
    };
    const hasExtra = Object.keys(extra).length > 0;

    const report = (outcome: ItemOutcome): void => {
      if (keep) outcomes.push(outcome);
      if (outcome.status === 'rejected' || outcome.status === 'duplicate')
        options.onOutcome?.(outcome);
    };
    /** Accepted outcomes wait for the commit: a rollback turns them into not-appended. */
    let tentative: ItemOutcome[] = [];
    const reject = (
      item: InputItem,
      id: string | undefined,
      code: string,
      message: string,
      issues: readonly FieldIssue[],
    ): void => {
      rejected += 1;
      report({
        line: item.line,
        ...(id === undefined ? {} : { id }),
        status: 'rejected',
        code,
        message,
        issues,
      });
      if (this.#quarantine === undefined) return;
      quarantined.push({
        receivedAt,
        source: options.source,
        line: item.line,
        ...(options.actor ? { actorId: options.actor.id } : {}),
        ...(id === undefined ? {} : { eventId: id.toLowerCase() }),
        code,
        message,
        issues,
        item: item.value,
      });
      // Written as they come, in writes of QUARANTINE_WRITE, so a file of bad lines is not held in memory.
      if (quarantined.length >= QUARANTINE_WRITE) this.#quarantine.add(quarantined.splice(0));
    };

    const entryOf = (stream: string): StreamEntry | undefined =>
      overlay.get(stream) ?? this.#committed.get(stream);
    const load = async (stream: string): Promise<StreamEntry> => {
      const known = entryOf(stream);
      if (known) return known;
      let state = initialState(streamKindOf(stream));
      let revision: bigint | null = null;
      const history: Envelope[] = [];
      for await (const e of store.readStream(
        stream,
        options.signal ? { signal: options.signal } : {},
      )) {
        const envelope = e as unknown as Envelope;
        state = evolve(state, envelope, history);
        history.push(envelope);
        revision = e.revision;
      }
      const entry = { state: holdings.settle(stream, state, 'whole'), revision };
      this.#committed.set(stream, entry);
      loadedNow.push(stream);
      return entry;
    };
    /** The first stream of a unit's merge chain not loaded yet, if any. */
    const missingInChain = (unitId: string): string | undefined => {
      // Merges are rare: the set that stops a cycle is made only when there is one to follow.
      let visited: Set<string> | undefined;
      let next: string | undefined = unitId;
      while (next !== undefined) {
        const entry = entryOf(`unit-${next}`);
        if (entry === undefined) return `unit-${next}`;
        const into = (entry.state as { mergedInto?: string }).mergedInto;
        if (into === undefined) return undefined;
        visited ??= new Set();
        visited.add(next);
        next = visited.has(into) ? undefined : into;
      }
      return undefined;
    };
    /** The units a teacher works or last worked at: authority follows their merge chains. */
    const teacherUnits = (stream: string): string[] => {
      const state = entryOf(stream)?.state;
      if (state?.kind !== 'teacher') return [];
      const units: string[] = [];
      if (state.job !== undefined) units.push(state.job.unitId);
      if (state.lastUnitId !== undefined) units.push(state.lastUnitId);
      return units;
    };
    /**
     * Whether every unit (with its merge chain) and the programme an envelope refers to
     * is at hand, and, when a key submits, the merge chains of the teacher's units, so
     * that authority is decided from the log and never from what happens to be cached.
     */
    const referencesLoaded = (envelope: Envelope, stream: string): boolean => {
      const data = envelope.data as Record<string, unknown>;
      for (const field of UNIT_FIELDS) {
        const value = data[field];
        if (typeof value === 'string' && missingInChain(value) !== undefined) return false;
      }
      if (principal !== undefined)
        for (const unitId of teacherUnits(stream))
          if (missingInChain(unitId) !== undefined) return false;
      return (
        typeof data.programmeId !== 'string' ||
        entryOf(`programme-${data.programmeId}`) !== undefined
      );
    };
    /**
     * Loads the units (with their merge chains) and the programme an envelope refers
     * to. Synchronous when all is at hand already, which is nearly always.
     */
    const loadReferences = async (envelope: Envelope, stream?: string): Promise<void> => {
      const data = envelope.data as Record<string, unknown>;
      const unitIds = UNIT_FIELDS.map((field) => data[field]);
      if (stream !== undefined && principal !== undefined) unitIds.push(...teacherUnits(stream));
      for (const value of unitIds) {
        if (typeof value !== 'string') continue;
        for (
          let missing = missingInChain(value);
          missing !== undefined;
          missing = missingInChain(value)
        ) {
          await load(missing);
        }
      }
      if (
        typeof data.programmeId === 'string' &&
        entryOf(`programme-${data.programmeId}`) === undefined
      ) {
        await load(`programme-${data.programmeId}`);
      }
    };
    const histories = new Map<string, Envelope[]>();
    const lookup: DecisionLookup = {
      unit: (unitId) => {
        const s = entryOf(`unit-${unitId}`)?.state;
        return s?.kind === 'unit' && s.registered ? { mergedInto: s.mergedInto } : undefined;
      },
      programmeExists: (programmeId) => {
        const s = entryOf(`programme-${programmeId}`)?.state;
        return s?.kind === 'programme' && s.registered;
      },
      teacherHistory: (teacherId) => histories.get(`teacher-${teacherId}`) ?? [],
    };
    const storedHistory = async (stream: string): Promise<Envelope[]> => {
      const history: Envelope[] = [];
      for await (const e of store.readStream(stream)) history.push(e as unknown as Envelope);
      for (const p of buffer) if (p.stream === stream) history.push(p.envelope);
      return history;
    };

    /**
     * The event stored under a sent id, compared in canonical (lower-case) form; a
     * log written before ids were made canonical may hold the id as it was sent.
     */
    const findSent = async (
      stream: string,
      id: string,
      value: unknown,
    ): Promise<RecordedEvent | undefined> => {
      const found = await store.findEvent(stream, id);
      if (found !== undefined) return found;
      const raw = (value as { id?: unknown } | null)?.id;
      return typeof raw === 'string' && raw !== id ? store.findEvent(stream, raw) : undefined;
    };

    const flush = async (): Promise<void> => {
      if (buffer.length === 0) return;
      const writes: StreamWrite[] = [];
      let current:
        { stream: string; events: Envelope[]; expected: bigint | 'no-stream' } | undefined;
      for (const p of buffer) {
        if (current?.stream !== p.stream) {
          current = {
            stream: p.stream,
            events: [],
            expected: p.revision === 0n ? 'no-stream' : p.revision - 1n,
          };
          writes.push(current);
        }
        current.events.push(p.envelope);
      }
      const results = await store.appendBatch(writes);
      let i = 0;
      for (const result of results) {
        for (const o of result.outcomes) {
          const p = buffer[i++];
          if (p === undefined) continue;
          appended += 1;
          if (pendingIds.has(o.id)) resolvedIds.push(o.id);
          if (keep)
            tentative.push({
              line: p.line,
              id: o.id,
              status: 'accepted',
              stream: result.stream,
              position: o.position,
              revision: o.revision,
            });
        }
      }
      buffer = [];
      bufferIds.clear();
    };

    /** What the log says that the authority decision needs: merges, the teacher's units, a retracted event's recorder. */
    const authorityFacts = (
      envelope: Envelope,
      stream: string,
      history: readonly Envelope[] | undefined,
      cancelled?: Envelope,
    ): AuthorityFacts => {
      const state = entryOf(stream)?.state;
      const teacher =
        state?.kind === 'teacher'
          ? { employedAt: state.job?.unitId, lastUnit: state.lastUnitId }
          : undefined;
      const target =
        envelope.type === 'EventRetracted'
          ? history?.find((e) => e.id === envelope.data.eventId)
          : undefined;
      return {
        mergedInto: (unitId) => {
          const s = entryOf(`unit-${unitId}`)?.state;
          return s?.kind === 'unit' ? s.mergedInto : undefined;
        },
        ...(teacher === undefined ? {} : { teacher }),
        ...(target === undefined ? {} : { retracted: target.metadata ?? {} }),
        ...(cancelled === undefined ? {} : { cancelled: cancelled.metadata ?? {} }),
      };
    };

    /**
     * The same id again: a duplicate when it says the same, a conflict when it does
     * not. Reports it and returns true; false when the id is new.
     */
    const sameIdAgain = (
      item: InputItem,
      sent: Envelope,
      stream: string,
      previous: RecordedEvent | Envelope | undefined,
      inBuffer: Pending | undefined,
    ): boolean => {
      if (previous === undefined) return false;
      const same =
        previous.type === sent.type && canonicalJson(previous.data) === canonicalJson(sent.data);
      if (!same) {
        const where =
          'position' in previous
            ? ` at position ${String(previous.position)}`
            : ` on line ${inBuffer?.line ?? '?'}`;
        reject(
          item,
          sent.id,
          'id-conflict',
          `id: ${sent.id} is already used by another event${where} of stream ${'stream' in previous ? previous.stream : stream}`,
          [{ path: 'id', message: `is already used by another event with other content` }],
        );
        return true;
      }
      duplicates += 1;
      if ('position' in previous) {
        report({
          line: item.line,
          id: sent.id,
          status: 'duplicate',
          stream: previous.stream,
          position: previous.position,
          revision: previous.revision,
        });
      } else {
        report({ line: item.line, id: sent.id, status: 'duplicate', stream });
      }
      return true;
    };

    /**
     * Authorises an event whose stream and references are loaded, then checks its id
     * (authority first: a key learns nothing of an id it may not write), then decides
     * it and buffers what it yields.
     */
    const decideLoaded = (
      item: InputItem,
      sent: Envelope,
      stream: string,
      entry: StreamEntry,
      seen: SeenBefore,
      history: Envelope[] | undefined,
      cancelled?: Envelope,
    ): void => {
      const forbidden = authorise(
        principal,
        sent,
        authorityFacts(sent, stream, history, cancelled),
      );
      if (forbidden !== undefined) {
        reject(item, sent.id, 'forbidden', `${forbidden.path}: ${forbidden.message}`, [forbidden]);
        return;
      }
      if (sameIdAgain(item, sent, stream, seen.previous, seen.inBuffer)) return;
      if (history !== undefined) histories.set(stream, history);
      const hydrated = holdings.hydrate(stream, entry.state, sent);
      const decision = decide(hydrated, sent, lookup);
      if (history !== undefined) histories.delete(stream);
      if (!decision.ok) {
        reject(item, sent.id, decision.error.code, decision.error.message, decision.error.issues);
        return;
      }
      let { state, revision } = entry;
      for (const [i, event] of decision.value.entries()) {
        const envelope = hasExtra
          ? ({ ...event, metadata: { ...event.metadata, ...extra } } as Envelope)
          : event;
        const before =
          i === 0 && event === sent ? hydrated : holdings.hydrate(stream, state, event);
        state = holdings.settle(stream, evolve(before, envelope, history), envelope);
        history?.push(envelope);
        revision = revision === null ? 0n : revision + 1n;
        const pending = { line: item.line, stream, envelope, revision };
        buffer.push(pending);
        bufferIds.set(envelope.id, pending);
      }
      overlay.set(stream, { state, revision });
    };

    /** Whether deciding `sent` needs the recorder of the earlier fact it cancels (only a key's authority does). */
    const cancelsAFact = (sent: Envelope): boolean =>
      principal !== undefined && CANCELS[sent.type] !== undefined;
    /** Loads the merges of the units of whoever recorded `target`: authority over it follows them. */
    const loadMergesOf = async (target: Envelope | undefined): Promise<void> => {
      const recorder = recorderOf(target?.metadata);
      if (principal !== undefined && recorder.role === 'integrator')
        for (const unitId of recorder.units)
          for (let m = missingInChain(unitId); m !== undefined; m = missingInChain(unitId))
            await load(m);
    };

    /** The general path: loads whatever the decision needs first (a reference not seen yet, a retraction's history). */
    const decideLoading = async (
      item: InputItem,
      sent: Envelope,
      stream: string,
      seen: SeenBefore,
    ): Promise<void> => {
      const entry = entryOf(stream) ?? (await load(stream));
      await loadReferences(sent, stream);
      let history: Envelope[] | undefined;
      if (sent.type === 'EventRetracted') {
        history = await storedHistory(stream);
        // Deciding a retraction replays the stream: everything it refers to must be at hand.
        for (const e of history) await loadReferences(e);
        // Authority over the retracted event follows the merges of its recorder's units.
        const target = history.find((e) => e.id === sent.data.eventId);
        await loadMergesOf(target);
      }
      let cancelled: Envelope | undefined;
      if (cancelsAFact(sent)) {
        // Authority over the cancelled fact: its recorder, read from the log like a retraction's.
        cancelled = cancelledFact(sent, await storedHistory(stream));
        await loadMergesOf(cancelled);
      }
      decideLoaded(item, sent, stream, entry, seen, history, cancelled);
    };

    /** Intake of one item: NFC, validation, canonical ids, plausible dates and metadata, no metadata the server writes. */
    const intake = (value: unknown): Result<Envelope> => {
      const result = parseSubmitted(value, recordedOn);
      if (!result.ok || principal === undefined || result.value.metadata === undefined)
        return result;
      const reserved = RESERVED_METADATA.filter((k) => k in (result.value.metadata ?? {}));
      if (reserved.length === 0) return result;
      const issues = reserved.map((k) => ({
        path: `metadata.${k}`,
        message:
          k === IMPORTED_BY
            ? 'is written by the operator (the nhagiao import an event came in); leave it out'
            : 'is written by the server (the submitting key and its authority); leave it out',
      }));
      return err(
        new DomainError(
          'invalid-envelope',
          issues.map((i) => `${i.path}: ${i.message}`).join('; '),
          issues,
        ),
      );
    };
    /** Server-computed reports apply to keys, and to whoever passes a computer (`report submit`). */
    const signsOff = (value: unknown): boolean =>
      (principal !== undefined || options.annualReports !== undefined) && isReportItem(value);

    /**
     * An annual report signed off: validated with what the server sets left out,
     * authorised (before any figure is computed, so a refusal shows no other
     * unit's figures), then given the figures computed from the log as
     * committed before this submission and the day of recording. Figures sent
     * must equal those; a key's submission day is the server's.
     */
    const signOff = async (
      item: InputItem,
    ): Promise<{ envelope: Envelope; stream: string } | undefined> => {
      const { input, sentValues, sentDay } = signOffData(item.value, recordedOn);
      const result = intake(input);
      if (!result.ok) {
        handleInvalid(item, result);
        return undefined;
      }
      const sent = result.value;
      if (sent.type !== 'AnnualReportSubmitted') return undefined;
      const stream = streamOf(sent);
      if (entryOf(stream) === undefined) await load(stream);
      await loadReferences(sent, stream);
      const fail = (code: string, path: string, message: string): undefined => {
        reject(item, sent.id, code, `${path}: ${message}`, [{ path, message }]);
        return undefined;
      };
      const forbidden = authorise(principal, sent, authorityFacts(sent, stream, undefined));
      if (forbidden !== undefined) return fail('forbidden', forbidden.path, forbidden.message);
      const { unitId, asOf, submittedOn } = sent.data;
      if (sentDay !== undefined) {
        if (principal?.role === 'integrator' && submittedOn !== recordedOn)
          return fail(
            'report-mismatch',
            'data.submittedOn',
            `is the day the server receives the report (${recordedOn}), not the sender's; leave it out`,
          );
        if (submittedOn > recordedOn)
          return fail(
            'report-mismatch',
            'data.submittedOn',
            `${submittedOn} is after today (${recordedOn}); a report is submitted on or before the day it is recorded`,
          );
      }
      if (appended > 0 || buffer.length > 0)
        return fail(
          'report-mismatch',
          'type',
          'an annual report comes first in its submission, so that its figures are those of the log before it; send it in a request of its own',
        );
      const computer = options.annualReports;
      if (computer === undefined)
        return fail(
          'report-mismatch',
          'type',
          'annual reports are computed by the server, which this write path cannot do; sign the report off with POST /v1/events or nhagiao report submit',
        );
      let computed: readonly { indicator: string; numerator: number; denominator: number }[];
      try {
        computed = await computer.values(unitId, asOf);
      } catch (e) {
        return fail(
          'store-unavailable',
          'type',
          `the report's figures cannot be computed now (${e instanceof Error ? e.message : String(e)}); try again`,
        );
      }
      if (sentValues) {
        const differs = firstDifference(sent.data.values, computed, asOf);
        if (differs !== undefined) return fail('report-mismatch', differs.path, differs.message);
      }
      const envelope = {
        ...sent,
        data: { ...sent.data, values: computed.map((v) => ({ ...v })) },
      } as Envelope;
      return { envelope, stream };
    };

    /**
     * One chunk of items: validated, then every id looked up and every stream not
     * seen yet loaded, all at once, so that deciding the items one by one rarely
     * waits. The chunk's lookups see the store as it was before the chunk: an id
     * accepted since is in the buffer, and a flush in the middle of the chunk (a
     * duplicate within the submission, on a store with transactions) makes the
     * remaining items look their id up again.
     */
    const handleChunk = async (chunk: readonly InputItem[]): Promise<void> => {
      const parsed: (Result<Envelope> | undefined)[] = new Array<Result<Envelope> | undefined>(
        chunk.length,
      );
      const envelopes: (Envelope | undefined)[] = new Array<Envelope | undefined>(chunk.length);
      const streams: string[] = new Array<string>(chunk.length);
      const lookups: (Promise<RecordedEvent | undefined> | undefined)[] = new Array<
        Promise<RecordedEvent | undefined> | undefined
      >(chunk.length);
      const reports = new Set<number>();
      const toLoad = new Set<string>();
      for (let i = 0; i < chunk.length; i++) {
        const item = chunk[i] as InputItem;
        if (item.parseError !== undefined) continue;
        if (signsOff(item.value)) {
          reports.add(i);
          continue;
        }
        const result = intake(item.value);
        parsed[i] = result;
        if (!result.ok) continue;
        const sent = result.value;
        const stream = streamOf(sent);
        envelopes[i] = sent;
        streams[i] = stream;
        lookups[i] = findSent(stream, sent.id, item.value);
        if (entryOf(stream) === undefined) toLoad.add(stream);
      }
      const found = await Promise.all(lookups);
      if (toLoad.size > 0) await Promise.all([...toLoad].map((stream) => load(stream)));
      let stale = false;
      for (let i = 0; i < chunk.length; i++) {
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
        const item = chunk[i] as InputItem;
        if (reports.has(i)) {
          const signed = await signOff(item);
          if (signed !== undefined) {
            const { envelope, stream } = signed;
            const inBuffer = bufferIds.get(envelope.id);
            const previous =
              inBuffer?.envelope ?? (await findSent(stream, envelope.id, item.value));
            await decideLoading(item, envelope, stream, { previous, inBuffer });
          }
          seen += 1;
          continue;
        }
        const sent = envelopes[i];
        if (sent === undefined) {
          handleInvalid(item, parsed[i]);
        } else {
          const stream = streams[i] as string;
          const inBuffer = bufferIds.get(sent.id);
          let previous: RecordedEvent | Envelope | undefined;
          if (inBuffer !== undefined && !transactional) previous = inBuffer.envelope;
          else if (inBuffer !== undefined || stale) {
            // Stored by this submission since the chunk's lookups: ask the store again.
            if (inBuffer !== undefined) {
              await flush();
              stale = true;
            }
            previous = await findSent(stream, sent.id, item.value);
          } else previous = found[i];
          const entry = entryOf(stream);
          if (
            entry !== undefined &&
            sent.type !== 'EventRetracted' &&
            !cancelsAFact(sent) &&
            referencesLoaded(sent, stream)
          )
            decideLoaded(item, sent, stream, entry, { previous, inBuffer }, undefined);
          else await decideLoading(item, sent, stream, { previous, inBuffer });
        }
        seen += 1;
        if (seen % 10_000 === 0) options.onProgress?.({ phase: 'validate', done: seen });
      }
    };

    /** An item that is not JSON or not a valid envelope: rejected with why. */
    const handleInvalid = (item: InputItem, parsed: Result<Envelope> | undefined): void => {
      if (parsed === undefined || parsed.ok) {
        const why = item.parseError ?? 'not valid JSON';
        reject(item, undefined, 'invalid-json', why, [{ path: '', message: why }]);
        return;
      }
      const id = (item.value as { id?: unknown } | null)?.id;
      reject(
        item,
        typeof id === 'string' ? id : undefined,
        parsed.error.code,
        parsed.error.message,
        parsed.error.issues,
      );
    };

    const failedWhole = (): boolean => mode === 'all-or-nothing' && rejected > 0;
    const afterChunk = async (): Promise<void> => {
      // Appending as we go is only safe where a rollback can undo it.
      if (transactional && !failedWhole() && buffer.length >= this.#batchSize) await flush();
      if (!transactional && mode === 'partial' && buffer.length >= this.#batchSize) await flush();
    };
    const body = async (): Promise<void> => {
      for await (const chunk of chunksOf(items, CHUNK)) {
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
        await handleChunk(chunk);
        await afterChunk();
      }
      if (failedWhole()) throw new Rollback();
      await flush();
    };

    let rolledBack = false;
    holdings.begin();
    try {
      if (store.transaction) await store.transaction(body);
      else await body();
      holdings.commit();
    } catch (e) {
      holdings.rollback();
      // The holdings of streams loaded by this submission are gone with it: they are read again.
      for (const stream of loadedNow) this.#committed.delete(stream);
      if (!(e instanceof Rollback)) {
        // A store without transactions keeps what a partial submission appended
        // before it failed, and another writer may have raced it: read again.
        for (const stream of overlay.keys()) this.#committed.delete(stream);
        throw e;
      }
      rolledBack = true;
    } finally {
      this.#quarantine?.add(quarantined);
    }
    if (rolledBack) {
      // Everything valid of a rejected all-or-nothing submission is reported as not appended.
      tentative = tentative.map((o) => ({ line: o.line, id: o.id ?? '', status: 'not-appended' }));
      for (const p of buffer)
        tentative.push({ line: p.line, id: p.envelope.id, status: 'not-appended' });
    } else {
      for (const [stream, entry] of overlay) this.#committed.set(stream, entry);
      this.#quarantine?.resolve(resolvedIds);
    }
    if (keep) for (const o of tentative) outcomes.push(o);
    if (keep) outcomes.sort((a, b) => a.line - b.line);
    options.onProgress?.({ phase: 'append', done: seen });
    return {
      source: options.source,
      appended: rolledBack ? 0 : appended,
      duplicates,
      rejected,
      items: outcomes,
      durationMs: performance.now() - started,
    };
  }
}

export const createIngestor = (deps: IngestorDeps): Ingestor => new Ingestor(deps);
