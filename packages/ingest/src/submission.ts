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
  VIETNAM_ZONE,
  authorise,
  cancelledFact,
  teacherPlace,
  decide,
  err,
  evolve,
  parseSubmitted,
  streamOf,
  submittedAs,
} from '@nhagiao/domain';
import { type EventStore, type StreamWrite, canonicalJson } from '@nhagiao/eventstore/core';
import type { HoldingIndex } from './holdings.js';
import type { QuarantineWriter } from './quarantine-writer.js';
import { firstDifference, isReportItem, signOffData } from './report.js';
import type { DecidedWrites } from './decided-writes.js';
import type { SeenIds } from './seen-ids.js';
import { appendInOrder } from './stream-appends.js';
import {
  type StoredEvent,
  type StreamEntry,
  type StreamStateCache,
  dataDigest,
} from './stream-cache.js';
import type { IngestOptions, InputItem, ItemOutcome } from './types.js';

/** The day of `instant` in Vietnam, YYYY-MM-DD: the recording day that bounds a submission's dates. */
const VIETNAM_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: VIETNAM_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
export const vietnamDay = (instant: Date): string => VIETNAM_DAY.format(instant);

/** Streams read from the store at once when a chunk names streams not seen yet. */
const READS_IN_FLIGHT = 16;

/** An accepted event waiting for its append. */
interface Pending {
  readonly line: number;
  readonly stream: string;
  readonly envelope: Envelope;
  /** The stream's revision this event will get. */
  readonly revision: bigint;
}

/** What a sent id already names: a stored event, one earlier in the same submission, or nothing. */
interface SeenBefore {
  readonly previous: RecordedEvent | StoredEvent | Envelope | undefined;
  /** The line of an earlier event of this submission with the id. */
  readonly line: number | undefined;
}

export interface SubmissionDeps {
  readonly store: EventStore;
  readonly cache: StreamStateCache;
  readonly holdings: HoldingIndex;
  readonly quarantine: QuarantineWriter;
  readonly now: Date;
  /** Where a check keeps the ids it accepted; only for a check (`options.check`). */
  readonly seen?: SeenIds;
  /** Where a check writes the writes it decides, for the append that follows it. */
  readonly decided?: DecidedWrites;
}

/**
 * One submission's decisions: each item is validated (zod), authorised for the
 * actor's units, checked for an id already used, decided against its stream's
 * state, and held for the append. Counts and outcomes are the submission's own;
 * stream states come from the cache, rejected items go to the quarantine writer.
 */
export class Submission {
  readonly #store: EventStore;
  readonly #cache: StreamStateCache;
  readonly #holdings: HoldingIndex;
  readonly #quarantine: QuarantineWriter;
  readonly #seen: SeenIds | undefined;
  readonly #decided: DecidedWrites | undefined;
  readonly #options: IngestOptions;
  readonly #keep: boolean;
  readonly #transactional: boolean;
  readonly #principal: Principal | undefined;
  readonly #recordedOn: string;
  /** What the ingestor adds to every accepted event's metadata. */
  readonly #extra: Readonly<Record<string, string>>;
  readonly #hasExtra: boolean;
  readonly #histories = new Map<string, Envelope[]>();
  readonly #lookup: DecisionLookup;

  readonly outcomes: ItemOutcome[] = [];
  /** Accepted outcomes wait for the commit: a rollback turns them into not-appended. */
  tentative: ItemOutcome[] = [];
  #buffer: Pending[] = [];
  readonly #bufferIds = new Map<string, Pending>();
  appended = 0;
  /** Events a check accepted (appended by the submission that follows it). */
  checked = 0;
  duplicates = 0;
  rejected = 0;
  seen = 0;

  constructor(deps: SubmissionDeps, options: IngestOptions) {
    this.#store = deps.store;
    this.#cache = deps.cache;
    this.#holdings = deps.holdings;
    this.#quarantine = deps.quarantine;
    this.#seen = deps.seen;
    this.#decided = deps.decided;
    this.#options = options;
    this.#keep = options.keepOutcomes ?? true;
    this.#transactional = deps.store.transaction !== undefined;
    this.#recordedOn = vietnamDay(deps.now);
    const actor = options.actor;
    this.#principal =
      actor === undefined
        ? undefined
        : { keyId: actor.id, role: actor.role, units: [...(actor.units ?? [])] };
    const principal = this.#principal;
    this.#extra = {
      ...options.metadata,
      ...(principal === undefined
        ? {}
        : { [SUBMITTED_BY]: principal.keyId, [SUBMITTED_AS]: submittedAs(principal) }),
    };
    this.#hasExtra = Object.keys(this.#extra).length > 0;
    const cache = this.#cache;
    this.#lookup = {
      unit: (unitId) => {
        const s = cache.entryOf(`unit-${unitId}`)?.state;
        return s?.kind === 'unit' && s.registered ? { mergedInto: s.mergedInto } : undefined;
      },
      programmeExists: (programmeId) => {
        const s = cache.entryOf(`programme-${programmeId}`)?.state;
        return s?.kind === 'programme' && s.registered;
      },
      teacherHistory: (teacherId) => this.#histories.get(`teacher-${teacherId}`) ?? [],
    };
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  /** Accepted events not appended, as not-appended outcomes (a rolled-back submission). */
  unappended(): ItemOutcome[] {
    return this.#buffer.map((p) => ({ line: p.line, id: p.envelope.id, status: 'not-appended' }));
  }

  #report(outcome: ItemOutcome): void {
    if (this.#keep) this.outcomes.push(outcome);
    if (outcome.status === 'rejected' || outcome.status === 'duplicate')
      this.#options.onOutcome?.(outcome);
  }

  #reject(
    item: InputItem,
    id: string | undefined,
    code: string,
    message: string,
    issues: readonly FieldIssue[],
  ): void {
    this.rejected += 1;
    this.#report({
      line: item.line,
      ...(id === undefined ? {} : { id }),
      status: 'rejected',
      code,
      message,
      issues,
    });
    this.#quarantine.add(item, id, code, message, issues);
  }

  async #storedHistory(stream: string): Promise<Envelope[]> {
    const history: Envelope[] = [];
    for await (const e of this.#store.readStream(stream)) history.push(e as unknown as Envelope);
    // A check appends nothing: what it accepted in earlier windows is in its own index.
    if (this.#seen !== undefined) history.push(...this.#seen.ofStream(stream));
    for (const p of this.#buffer) if (p.stream === stream) history.push(p.envelope);
    return history;
  }

  /**
   * The event stored under a sent id, compared in canonical (lower-case) form; a
   * log written before ids were made canonical may hold the id as it was sent.
   */
  async #findSent(
    stream: string,
    id: string,
    value: unknown,
  ): Promise<RecordedEvent | StoredEvent | undefined> {
    const raw = (value as { id?: unknown } | null)?.id;
    const forms = typeof raw === 'string' && raw !== id ? [id, raw] : [id];
    // Where ids are checked within their stream, the stream read once answers.
    const known = this.#cache.storedIn(stream, forms);
    if (known !== undefined) return known ?? undefined;
    const found = await this.#store.findEvent(stream, id);
    if (found !== undefined) return found;
    return typeof raw === 'string' && raw !== id ? this.#store.findEvent(stream, raw) : undefined;
  }

  /** Where the id of an event sent was met before in a check: earlier in the submission. */
  #checkedBefore(id: string): SeenBefore | undefined {
    const earlier = this.#seen?.get(id);
    if (earlier === undefined) return undefined;
    return {
      previous: { id, type: earlier.type, data: JSON.parse(earlier.data) } as Envelope,
      line: earlier.line,
    };
  }

  /** Appends what is buffered (a check only notes the ids, in its own index). */
  async flush(): Promise<void> {
    const buffer = this.#buffer;
    if (buffer.length === 0) return;
    this.#buffer = [];
    this.#bufferIds.clear();
    if (this.#options.check) {
      // Each event's data and metadata made JSON once, for the seen ids and the decided writes.
      const rows = buffer.map((p) => ({
        id: p.envelope.id,
        line: p.line,
        type: p.envelope.type,
        data: JSON.stringify(p.envelope.data),
        stream: p.stream,
        metadata: p.envelope.metadata === undefined ? '' : JSON.stringify(p.envelope.metadata),
      }));
      this.#seen?.addAll(rows);
      this.#decided?.add(
        { lastLine: (buffer[buffer.length - 1] as Pending).line, writes: inRuns(buffer) },
        rows,
      );
      this.checked += buffer.length;
      this.#cache.trimWhileRunning();
      return;
    }
    const byId = new Map<string, Pending>();
    for (const p of buffer) byId.set(p.envelope.id, p);
    for (const result of await appendInOrder(this.#store, inRuns(buffer))) {
      for (const o of result.outcomes) {
        const p = byId.get(o.id);
        if (p === undefined) continue;
        this.appended += 1;
        this.#cache.noteStored(result.stream, p.envelope, o);
        this.#quarantine.accepted(o.id);
        if (this.#keep)
          this.tentative.push({
            line: p.line,
            id: o.id,
            status: 'accepted',
            stream: result.stream,
            position: o.position,
            revision: o.revision,
          });
      }
    }
    this.#cache.trimWhileRunning();
  }

  /** What the log says that the authority decision needs: merges, the teacher's units, a retracted event's recorder. */
  #authorityFacts(
    envelope: Envelope,
    stream: string,
    history: readonly Envelope[] | undefined,
    cancelled?: Envelope,
  ): AuthorityFacts {
    const cache = this.#cache;
    const state = cache.entryOf(stream)?.state;
    const teacher = state?.kind === 'teacher' ? teacherPlace(state) : undefined;
    const target =
      envelope.type === 'EventRetracted'
        ? history?.find((e) => e.id === envelope.data.eventId)
        : undefined;
    return {
      mergedInto: (unitId) => {
        const s = cache.entryOf(`unit-${unitId}`)?.state;
        return s?.kind === 'unit' ? s.mergedInto : undefined;
      },
      mergedOn: (unitId) => {
        const s = cache.entryOf(`unit-${unitId}`)?.state;
        return s?.kind === 'unit' ? s.mergedOn : undefined;
      },
      ...(teacher === undefined ? {} : { teacher }),
      ...(target === undefined ? {} : { retracted: target.metadata ?? {} }),
      ...(cancelled === undefined ? {} : { cancelled: cancelled.metadata ?? {} }),
    };
  }

  /**
   * The same id again: a duplicate when it says the same, a conflict when it does
   * not. Reports it and returns true; false when the id is new.
   */
  #sameIdAgain(item: InputItem, sent: Envelope, stream: string, seen: SeenBefore): boolean {
    const { previous } = seen;
    if (previous === undefined) return false;
    const same =
      previous.type === sent.type &&
      ('digest' in previous
        ? previous.digest === dataDigest(sent.data)
        : canonicalJson(previous.data) === canonicalJson(sent.data));
    if (!same) {
      const where =
        'position' in previous
          ? ` at position ${String(previous.position)}`
          : ` on line ${seen.line ?? '?'}`;
      this.#reject(
        item,
        sent.id,
        'id-conflict',
        `id: ${sent.id} is already used by another event${where} of stream ${'stream' in previous ? previous.stream : stream}`,
        [{ path: 'id', message: `is already used by another event with other content` }],
      );
      return true;
    }
    this.duplicates += 1;
    if ('position' in previous) {
      this.#report({
        line: item.line,
        id: sent.id,
        status: 'duplicate',
        stream: previous.stream,
        position: previous.position,
        revision: previous.revision,
      });
    } else {
      this.#report({ line: item.line, id: sent.id, status: 'duplicate', stream });
    }
    return true;
  }

  /**
   * Authorises an event whose stream and references are loaded, then checks its id
   * (authority first: a key learns nothing of an id it may not write), then decides
   * it and buffers what it yields.
   */
  #decideLoaded(
    item: InputItem,
    sent: Envelope,
    stream: string,
    entry: StreamEntry,
    seen: SeenBefore,
    history: Envelope[] | undefined,
    cancelled?: Envelope,
  ): void {
    const forbidden = authorise(
      this.#principal,
      sent,
      this.#authorityFacts(sent, stream, history, cancelled),
    );
    if (forbidden !== undefined) {
      this.#reject(item, sent.id, 'forbidden', `${forbidden.path}: ${forbidden.message}`, [
        forbidden,
      ]);
      return;
    }
    if (this.#sameIdAgain(item, sent, stream, seen)) return;
    const holdings = this.#holdings;
    if (history !== undefined) this.#histories.set(stream, history);
    const hydrated = holdings.hydrate(stream, entry.state, sent);
    const decision = decide(hydrated, sent, this.#lookup);
    if (history !== undefined) this.#histories.delete(stream);
    if (!decision.ok) {
      this.#reject(
        item,
        sent.id,
        decision.error.code,
        decision.error.message,
        decision.error.issues,
      );
      return;
    }
    let { state, revision } = entry;
    for (const [i, event] of decision.value.entries()) {
      const envelope = this.#hasExtra
        ? ({ ...event, metadata: { ...event.metadata, ...this.#extra } } as Envelope)
        : event;
      const before = i === 0 && event === sent ? hydrated : holdings.hydrate(stream, state, event);
      state = holdings.settle(stream, evolve(before, envelope, history), envelope);
      history?.push(envelope);
      revision = revision === null ? 0n : revision + 1n;
      const pending = { line: item.line, stream, envelope, revision };
      this.#buffer.push(pending);
      this.#bufferIds.set(envelope.id, pending);
    }
    this.#cache.set(stream, { state, revision });
  }

  /** Whether deciding `sent` needs the recorder of the earlier fact it cancels (only a key's authority does). */
  #cancelsAFact(sent: Envelope): boolean {
    return this.#principal !== undefined && CANCELS[sent.type] !== undefined;
  }

  async #loadMergesOf(target: Envelope | undefined): Promise<void> {
    if (this.#principal !== undefined) await this.#cache.loadMergesOf(target);
  }

  /** The general path: loads whatever the decision needs first (a reference not seen yet, a retraction's history). */
  async #decideLoading(
    item: InputItem,
    sent: Envelope,
    stream: string,
    seen: SeenBefore,
  ): Promise<void> {
    const cache = this.#cache;
    const entry = await cache.load(stream);
    await cache.loadReferences(sent, stream, this.#principal?.units);
    let history: Envelope[] | undefined;
    if (sent.type === 'EventRetracted') {
      history = await this.#storedHistory(stream);
      // Deciding a retraction replays the stream: everything it refers to must be at hand.
      for (const e of history) await cache.loadReferences(e);
      // Authority over the retracted event follows the merges of its recorder's units.
      const target = history.find((e) => e.id === sent.data.eventId);
      await this.#loadMergesOf(target);
    }
    let cancelled: Envelope | undefined;
    if (this.#cancelsAFact(sent)) {
      // Authority over the cancelled fact: its recorder, read from the log like a retraction's.
      cancelled = cancelledFact(sent, await this.#storedHistory(stream));
      await this.#loadMergesOf(cancelled);
    }
    this.#decideLoaded(item, sent, stream, entry, seen, history, cancelled);
  }

  /** Intake of one item: NFC, validation, canonical ids, plausible dates and metadata, no metadata the server writes. */
  #intake(value: unknown): Result<Envelope> {
    const result = parseSubmitted(value, this.#recordedOn);
    if (!result.ok || this.#principal === undefined || result.value.metadata === undefined)
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
  }

  /** Server-computed reports apply to keys, and to whoever passes a computer (`report submit`). */
  #signsOff(value: unknown): boolean {
    return (
      (this.#principal !== undefined || this.#options.annualReports !== undefined) &&
      isReportItem(value)
    );
  }

  /**
   * An annual report signed off: validated with what the server sets left out,
   * authorised (before any figure is computed, so a refusal shows no other
   * unit's figures), then given the figures computed from the log as
   * committed before this submission and the day of recording. Figures sent
   * must equal those; a key's submission day is the server's.
   */
  async #signOff(item: InputItem): Promise<{ envelope: Envelope; stream: string } | undefined> {
    const recordedOn = this.#recordedOn;
    const principal = this.#principal;
    const { input, sentValues, sentDay } = signOffData(item.value, recordedOn);
    const result = this.#intake(input);
    if (!result.ok) {
      this.#handleInvalid(item, result);
      return undefined;
    }
    const sent = result.value;
    if (sent.type !== 'AnnualReportSubmitted') return undefined;
    const stream = streamOf(sent);
    await this.#cache.load(stream);
    await this.#cache.loadReferences(sent, stream, principal?.units);
    const fail = (code: string, path: string, message: string): undefined => {
      this.#reject(item, sent.id, code, `${path}: ${message}`, [{ path, message }]);
      return undefined;
    };
    const forbidden = authorise(principal, sent, this.#authorityFacts(sent, stream, undefined));
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
    if (this.appended > 0 || this.checked > 0 || this.#buffer.length > 0)
      return fail(
        'report-mismatch',
        'type',
        'an annual report comes first in its submission, so that its figures are those of the log before it; send it in a request of its own',
      );
    const computer = this.#options.annualReports;
    if (computer === undefined)
      return fail(
        'report-mismatch',
        'type',
        'annual reports are computed by the server, which this write path cannot do; sign the report off with POST /v1/events or nhagiao report submit',
      );
    const checkpoint = sent.data.checkpoint;
    const unknown =
      checkpoint === undefined ? undefined : await computer.checkpointIssue?.(checkpoint);
    if (unknown !== undefined) return fail('report-mismatch', 'data.checkpoint', unknown);
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
  }

  /** An item that is not JSON or not a valid envelope: rejected with why. */
  #handleInvalid(item: InputItem, parsed: Result<Envelope> | undefined): void {
    if (parsed === undefined || parsed.ok) {
      const why = item.parseError ?? 'not valid JSON';
      this.#reject(item, undefined, 'invalid-json', why, [{ path: '', message: why }]);
      return;
    }
    const id = (item.value as { id?: unknown } | null)?.id;
    this.#reject(
      item,
      typeof id === 'string' ? id : undefined,
      parsed.error.code,
      parsed.error.message,
      parsed.error.issues,
    );
  }

  /** What the id of `sent` names already: in the buffer, earlier in a check, or (looked up) in the store. */
  #seenFromBuffer(sent: Envelope): SeenBefore | undefined {
    const inBuffer = this.#bufferIds.get(sent.id);
    if (inBuffer !== undefined) return { previous: inBuffer.envelope, line: inBuffer.line };
    return this.#checkedBefore(sent.id);
  }

  /**
   * One chunk of items: validated, then every id looked up and every stream not
   * seen yet loaded, all at once (streams at most `READS_IN_FLIGHT` at a time),
   * so that deciding the items one by one rarely waits. The chunk's lookups see
   * the store as it was before the chunk: an id accepted since is in the buffer,
   * and a flush in the middle of the chunk (a duplicate within the submission, on
   * a store with transactions) makes the remaining items look their id up again.
   */
  async handleChunk(chunk: readonly InputItem[]): Promise<void> {
    const options = this.#options;
    const cache = this.#cache;
    const parsed = new Array<Result<Envelope> | undefined>(chunk.length);
    const envelopes = new Array<Envelope | undefined>(chunk.length);
    const streams = new Array<string>(chunk.length);
    const lookups = new Array<Promise<RecordedEvent | StoredEvent | undefined> | undefined>(
      chunk.length,
    );
    const reports = new Set<number>();
    const toLoad = new Set<string>();
    for (let i = 0; i < chunk.length; i++) {
      const item = chunk[i] as InputItem;
      if (item.parseError !== undefined) continue;
      if (this.#signsOff(item.value)) {
        reports.add(i);
        continue;
      }
      const result = this.#intake(item.value);
      parsed[i] = result;
      if (!result.ok) continue;
      const sent = result.value;
      const stream = streamOf(sent);
      envelopes[i] = sent;
      streams[i] = stream;
      if (cache.entryOf(stream) === undefined) toLoad.add(stream);
    }
    // Streams first: where ids are checked within their stream, its read answers the lookups.
    if (toLoad.size > 0) await cache.loadAll(toLoad, READS_IN_FLIGHT);
    for (let i = 0; i < chunk.length; i++) {
      const sent = envelopes[i];
      if (sent !== undefined)
        lookups[i] = this.#findSent(streams[i] as string, sent.id, (chunk[i] as InputItem).value);
    }
    const found = await Promise.all(lookups);
    let stale = false;
    for (let i = 0; i < chunk.length; i++) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      const item = chunk[i] as InputItem;
      if (reports.has(i)) {
        const signed = await this.#signOff(item);
        if (signed !== undefined) {
          const { envelope, stream } = signed;
          const seen = this.#seenFromBuffer(envelope) ?? {
            previous: await this.#findSent(stream, envelope.id, item.value),
            line: undefined,
          };
          await this.#decideLoading(item, envelope, stream, seen);
        }
        this.seen += 1;
        continue;
      }
      const sent = envelopes[i];
      if (sent === undefined) {
        this.#handleInvalid(item, parsed[i]);
      } else {
        const stream = streams[i] as string;
        const inBuffer = this.#bufferIds.get(sent.id);
        let seen: SeenBefore;
        if (inBuffer !== undefined && !this.#transactional)
          seen = { previous: inBuffer.envelope, line: inBuffer.line };
        else if (inBuffer !== undefined || stale) {
          // Stored by this submission since the chunk's lookups: ask the store again.
          if (inBuffer !== undefined) {
            await this.flush();
            stale = true;
          }
          seen = {
            previous: await this.#findSent(stream, sent.id, item.value),
            line: undefined,
          };
        } else seen = this.#checkedBefore(sent.id) ?? { previous: found[i], line: undefined };
        const entry = cache.entryOf(stream);
        if (
          entry !== undefined &&
          sent.type !== 'EventRetracted' &&
          !this.#cancelsAFact(sent) &&
          cache.referencesLoaded(sent, stream, this.#principal?.units)
        )
          this.#decideLoaded(item, sent, stream, entry, seen, undefined);
        else await this.#decideLoading(item, sent, stream, seen);
      }
      this.seen += 1;
      if (this.seen % 10_000 === 0) options.onProgress?.({ phase: 'validate', done: this.seen });
    }
  }
}

/**
 * Consecutive events of one stream as one write, in the buffer's order: one
 * transaction keeps it. Their ids were checked against the stream as decided
 * (`idsChecked`): a store that checks ids by reading the stream need not.
 */
const inRuns = (buffer: readonly Pending[]): StreamWrite[] => {
  const writes: StreamWrite[] = [];
  let current:
    | { stream: string; events: Envelope[]; expected: bigint | 'no-stream'; idsChecked: true }
    | undefined;
  for (const p of buffer) {
    if (current?.stream !== p.stream) {
      current = {
        stream: p.stream,
        events: [],
        expected: p.revision === 0n ? 'no-stream' : p.revision - 1n,
        idsChecked: true,
      };
      writes.push(current);
    }
    current.events.push(p.envelope);
  }
  return writes;
};
