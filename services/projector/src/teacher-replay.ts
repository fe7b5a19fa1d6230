import {
  type DeltaRow,
  type IndicatorDefinition,
  type RecordedEvent,
  STREAM_KIND_OF,
  createLedgerProjection,
  isUnitEvent,
} from '@nhagiao/domain';
import { type StreamRange, inStreamRange } from '@nhagiao/eventstore/port';
import { type StateWrites, extendsLastStamp } from './ledger-applier.js';
import type { TeacherReadableStore } from './replay-plan.js';
import type {
  PositionStamp,
  ProgrammeStateEntry,
  ReadModelWriter,
  TeacherStateEntry,
  UnitEventRecord,
} from '@nhagiao/readmodels';

/** Teachers' streams: `teacher-<id>`. */
export const TEACHER_PREFIX = 'teacher-';

/** The streams outside teachers' (units, programmes, funding, reports), by their name's prefix. */
const CONTEXT_PREFIXES: readonly string[] = [...new Set(Object.values(STREAM_KIND_OF))]
  .filter((kind) => kind !== 'teacher')
  .map((kind) => `${kind}-`);

/** Position stamps per written row of the `positions` table. */
const STAMPS_PER_WRITE = 20_000;

/**
 * Events per page read. Smaller pages than a log read's: a page's events and
 * their parsed data are what the young generation copies at each scavenge, and
 * 1,000 instead of 5,000 took a rebuild of 913,955 events in 2 workers from
 * 4.17–4.26 s to 3.93–3.96 s (scavenges 1.3–1.5 s -> 1.0–1.1 s of CPU).
 */
const TEACHER_PAGE = 1000;

/** Recording times a shard keeps stamps for in memory, by default (see `stampsKept`). */
export const DEFAULT_STAMPS_KEPT = 100_000;

export interface TeacherReplayOptions {
  readonly store: TeacherReadableStore;
  /** An empty read model (or one a replay that died left, emptied first by the caller). */
  readonly readModel: Pick<ReadModelWriter, 'applyBulk'>;
  readonly indicators: readonly IndicatorDefinition[];
  /** Replay positions up to this one (inclusive). */
  readonly until: bigint;
  /** Only the teachers whose streams lie in this range (default: all). */
  readonly teachers?: StreamRange;
  /**
   * Whether this replay also writes the context, what is not a teacher's (units'
   * events, programmes' states; default true): in a replay split across
   * processes, one does.
   */
  readonly writesContext?: boolean;
  /**
   * Whether teachers' and programmes' states are written: `none` for a read
   * model that is only compared and thrown away (verify's); otherwise each
   * teacher's with its rows (default `at-end`). A rebuild's states are as many
   * bytes as its ledger.
   */
  readonly states?: StateWrites;
  /** Teacher events per read-model transaction. */
  readonly batchSize: number;
  /** Events per page read (default `TEACHER_PAGE`). */
  readonly pageSize?: number;
  /** Runs each write; the shards of a parallel replay serialise their writers through it. */
  readonly writeLock?: <T>(write: () => Promise<T>) => Promise<T>;
  /**
   * How many recording times to keep a position stamp for in memory (default
   * `DEFAULT_STAMPS_KEPT`). A log imported from files has one per thousand
   * events or so; one appended event by event has one per event: past this
   * many, the shard drops them and, once its teachers are written, reads its
   * events again in position order for their stamps, so memory stays bounded.
   */
  readonly stampsKept?: number;
  /** After each write: the events taken so far (awaited). */
  readonly onProgress?: (taken: number) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

/**
 * Where each run of one recording time ends among a shard's events (see
 * `PositionStamp`), met in any order: recording time → its last position. Gives
 * up (`complete` false) past `kept` recording times rather than grow with the log.
 */
class Stamps {
  #last: Map<string, bigint> | undefined = new Map();

  constructor(private readonly kept: number) {}

  get complete(): boolean {
    return this.#last !== undefined;
  }

  add(event: RecordedEvent): void {
    const last = this.#last;
    if (last === undefined) return;
    const seen = last.get(event.recordedAt);
    if (seen !== undefined) {
      if (event.position > seen) last.set(event.recordedAt, event.position);
    } else if (last.size < this.kept) last.set(event.recordedAt, event.position);
    else this.#last = undefined;
  }

  /** The stamps in position order, and forgets them. */
  take(): PositionStamp[] {
    const sorted = [...(this.#last ?? [])]
      .map(([recordedAt, position]) => ({ position, recordedAt }))
      .sort((a, b) => (a.position < b.position ? -1 : 1));
    this.#last = undefined;
    return sorted;
  }
}

/** What every shard needs before its teachers, and what the one with `writesContext` writes of it. */
interface Context {
  /** Topic events of each programme, in position order. */
  readonly topicEvents: Map<string, RecordedEvent[]>;
  readonly unitEvents: UnitEventRecord[];
  readonly programmeStates: ProgrammeStateEntry[];
  /** The context events recorded (with `writesContext`: all of them; else none). */
  readonly taken: number;
}

/**
 * The streams outside teachers', stream by stream (a programme's state needs
 * only its own events, in order): programmes' topics for every shard; with
 * `writesContext` also the units' events and the programmes' states, stamped.
 */
const readContext = async (
  streamPages: (prefix: string) => AsyncIterable<readonly RecordedEvent[]>,
  indicators: readonly IndicatorDefinition[],
  writesContext: boolean,
  stamps: Stamps,
): Promise<Context> => {
  const topicEvents = new Map<string, RecordedEvent[]>();
  const unitEvents: UnitEventRecord[] = [];
  const programmes = writesContext ? createLedgerProjection(indicators) : undefined;
  let taken = 0;
  for (const prefix of writesContext ? CONTEXT_PREFIXES : ['programme-'])
    for await (const page of streamPages(prefix))
      for (const event of page) {
        if (event.type === 'ProgrammeRegistered' || event.type === 'ProgrammeTopicsCorrected') {
          const list = topicEvents.get(event.data.programmeId);
          if (list === undefined) topicEvents.set(event.data.programmeId, [event]);
          else list.push(event);
        }
        if (programmes === undefined) continue;
        programmes.project(event);
        if (isUnitEvent(event)) unitEvents.push(event as UnitEventRecord);
        stamps.add(event);
        taken += 1;
      }
  const programmeStates: ProgrammeStateEntry[] = [];
  if (programmes !== undefined)
    for (const programmeId of [...topicEvents.keys()].sort()) {
      const state = programmes.serializeProgramme(programmeId);
      if (state !== undefined) programmeStates.push({ programmeId, state });
    }
  return { topicEvents, unitEvents, programmeStates, taken };
};

/**
 * Replays the log up to `until` into an empty read model one teacher at a time,
 * and sets no checkpoint (the caller does, once every shard is written).
 *
 * A teacher's rows depend only on its own events and on the topics of the
 * programmes it completed (docs/indicators.md § The delta ledger). So the streams outside teachers', a
 * few hundred events, are read first; then each teacher's stream, in
 * revision order, is projected together with the topic events of the
 * programmes it completed, merged in by position, into a projection started
 * afresh; its state is serialized and dropped. The rows are those a replay in
 * position order writes (the digest sorts them), and the memory held is one
 * teacher's, a write batch's and at most `stampsKept` position stamps, not the
 * whole province's states: a replay in position order keeps every teacher's
 * state to the end.
 *
 * Returns the events taken: the teacher events in range, and with `writesContext` the others.
 */
export const replayByTeacher = async (options: TeacherReplayOptions): Promise<number> => {
  const { store, readModel, until, signal } = options;
  const readStreams = store.readStreamBatches.bind(store);
  const readLog = store.readAllBatches.bind(store);
  const teachers = options.teachers ?? {};
  const writesContext = options.writesContext ?? true;
  const states = (options.states ?? 'at-end') !== 'none';
  const writeLock = options.writeLock ?? ((write) => write());
  const streamPages = (
    prefix: string,
    range?: StreamRange,
  ): AsyncIterable<readonly RecordedEvent[]> =>
    readStreams({
      prefix,
      until,
      ...(range === undefined ? {} : { range }),
      metadata: false,
      pageSize: options.pageSize ?? TEACHER_PAGE,
      ...(signal ? { signal } : {}),
    });
  const stamps = new Stamps(options.stampsKept ?? DEFAULT_STAMPS_KEPT);
  const context = await readContext(streamPages, options.indicators, writesContext, stamps);
  let taken = context.taken;

  let rows: DeltaRow[] = [];
  let teacherStates: TeacherStateEntry[] = [];
  let pending = 0;
  /**
   * Writes go behind the projection: a full batch is handed to the write lock
   * and the next teachers are projected while it waits its turn and is written.
   * One batch at most is in flight (the next waits for it to end), so memory
   * holds two. In 2 worker processes each shard waited 150-260 ms in all for
   * its turns, with nothing to do.
   */
  let inFlight: Promise<void> | undefined;
  const settle = async (): Promise<void> => {
    const writing = inFlight;
    inFlight = undefined;
    if (writing !== undefined) await writing;
  };
  const write = async (extra: {
    unitEvents?: UnitEventRecord[];
    programmeStates?: ProgrammeStateEntry[];
    positions?: PositionStamp[];
  }): Promise<void> => {
    const batch = { upTo: until, rows, teacherStates, ...extra };
    const done = taken;
    rows = [];
    teacherStates = [];
    pending = 0;
    await settle();
    const writing = writeLock(() => readModel.applyBulk(batch)).then(() =>
      options.onProgress?.(done),
    );
    // Awaited by `settle`; until then a failure must not count as unhandled.
    writing.catch(() => undefined);
    inFlight = writing;
  };
  /** Lets the lock's grant (a message from the parent) in while a write waits for it. */
  const letMessagesIn = (): Promise<void> | undefined =>
    inFlight !== undefined && options.writeLock !== undefined
      ? new Promise((resolve) => setImmediate(resolve))
      : undefined;

  const projection = createLedgerProjection(options.indicators);
  /** Projects one teacher's events with the topic events they depend on, then drops it. */
  const project = (events: readonly RecordedEvent[]): void => {
    projection.clear();
    const completed = new Set<string>();
    for (const event of events)
      if (event.type === 'CourseCompleted') completed.add(event.data.programmeId);
    const topics: RecordedEvent[] = [];
    for (const programmeId of completed)
      topics.push(...(context.topicEvents.get(programmeId) ?? []));
    topics.sort((a, b) => (a.position < b.position ? -1 : 1));
    let next = 0;
    for (const event of events) {
      while (next < topics.length && topics[next]!.position < event.position)
        for (const row of projection.project(topics[next++]!)) rows.push(row);
      for (const row of projection.project(event)) rows.push(row);
      stamps.add(event);
    }
    // Corrections after the teacher's last event still move its completions.
    while (next < topics.length)
      for (const row of projection.project(topics[next++]!)) rows.push(row);
    const changed = projection.takeChanged().teachers;
    if (states)
      for (const teacherId of changed) {
        const state = projection.serializeTeacher(teacherId);
        if (state !== undefined) teacherStates.push({ teacherId, state });
      }
    taken += events.length;
    pending += events.length;
  };

  const projectTeachers = async (): Promise<void> => {
    let teacher: RecordedEvent[] = [];
    for await (const page of streamPages(TEACHER_PREFIX, teachers)) {
      for (const event of page) {
        if (teacher.length > 0 && teacher[0]!.stream !== event.stream) {
          project(teacher);
          teacher = [];
          if (pending >= options.batchSize) await write({});
        }
        teacher.push(event);
      }
      await letMessagesIn();
    }
    if (signal?.aborted !== true && teacher.length > 0) project(teacher);
  };

  const writeRest = async (): Promise<void> => {
    // The last rows go with the first stamps; with the context also the units' events and programmes' states.
    const recorded = writesContext
      ? {
          unitEvents: context.unitEvents,
          ...(states ? { programmeStates: context.programmeStates } : {}),
        }
      : {};
    if (stamps.complete) {
      const sorted = stamps.take();
      for (let from = 0; from === 0 || from < sorted.length; from += STAMPS_PER_WRITE)
        await write({
          positions: sorted.slice(from, from + STAMPS_PER_WRITE),
          ...(from === 0 ? recorded : {}),
        });
      return;
    }
    // Too many recording times to keep: these events again, in position order,
    // stamped where each run of one recording time ends, a write at a time.
    await write(recorded);
    let run: PositionStamp[] = [];
    for await (const page of readLog({ until, metadata: false, ...(signal ? { signal } : {}) }))
      for (const event of page) {
        // As the stream pass: the teachers in range; with the context, the other streams.
        if (
          event.stream.startsWith(TEACHER_PREFIX)
            ? !inStreamRange(event.stream, teachers)
            : !writesContext
        )
          continue;
        if (extendsLastStamp(run, event)) continue;
        if (run.length >= STAMPS_PER_WRITE) {
          await write({ positions: run });
          run = [];
        }
        run.push({ position: event.position, recordedAt: event.recordedAt });
      }
    if (signal?.aborted !== true && run.length > 0) await write({ positions: run });
  };

  try {
    await projectTeachers();
    if (signal?.aborted !== true) await writeRest();
    await settle();
  } finally {
    // Failed or aborted: no write goes on once this returns (the caller closes the read model).
    await inFlight?.catch(() => undefined);
  }
  return taken;
};
