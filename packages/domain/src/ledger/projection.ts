import type { RecordedEvent } from '../events/recorded.js';
import type { Topic } from '../events/vocabulary.js';
import { applyFact } from '../facts/fold.js';
import type { TeacherFacts } from '../facts/types.js';
import type { EventType } from '../events/schemas.js';
import type { EmploymentSegment } from '../facts/employment.js';
import {
  type CompiledIndicator,
  compileIndicators,
  permanentSegments,
} from '../indicators/contribution.js';
import type { IndicatorDefinition } from '../indicators/rule.js';
import { type Contribution, compareText } from '../indicators/step.js';
import type { DeltaRow } from './delta.js';
import { compareRows, diff } from './diff.js';
import { RecomputeInput } from './recompute-input.js';
import {
  type SerializedTeacher,
  type TeacherState,
  deserializeTeacher,
  dropEvent,
  keepEvent,
  newTeacherState,
  refold,
  serializeTeacher,
} from './teacher-state.js';

/** JSON-safe state of one programme: its topics as corrected, and the last position seen. */
export interface SerializedProgramme {
  readonly v: 1;
  readonly programmeId: string;
  readonly topics: readonly Topic[];
  readonly lastPosition: string;
}

export interface ChangedStates {
  readonly teachers: readonly string[];
  readonly programmes: readonly string[];
}

/**
 * The delta ledger projection (docs/indicators.md § The delta ledger), driven event by event in log order.
 * Pure apart from its own state: no clock, no I/O. The same events give the same
 * rows, byte for byte, also across a restart from serialized state.
 */
export interface LedgerProjection {
  /** The delta rows this event causes, sorted by indicator, unitId, validFrom, teacherId. */
  project(event: RecordedEvent): DeltaRow[];
  facts(teacherId: string): TeacherFacts | undefined;
  contribution(teacherId: string): Contribution;
  topics(programmeId: string): readonly Topic[] | undefined;
  /** Ids of the teachers and programmes whose state changed since the last call, sorted. */
  takeChanged(): ChangedStates;
  serializeTeacher(teacherId: string): SerializedTeacher | undefined;
  loadTeacher(serialized: unknown): void;
  serializeProgramme(programmeId: string): SerializedProgramme | undefined;
  /** Load programmes before teachers, so teachers' contributions see the right topics. */
  loadProgramme(serialized: SerializedProgramme): void;
  /**
   * Forgets every teacher and programme, as if new: a replay that takes one
   * teacher at a time (with the programme events that teacher's rows depend on)
   * keeps one projection and starts it afresh for each.
   */
  clear(): void;
}

interface TeacherEntry {
  state: TeacherState;
  /** Permanent employment segments, recomputed only when employment facts change. */
  segments: EmploymentSegment[];
  /** Step functions per compiled indicator (same index), each sorted by unitId. */
  perIndicator: Contribution[];
}

interface ProgrammeEntry {
  topics: readonly Topic[];
  lastPosition: bigint;
  /** Indices of the compiled indicators that read completions of this programme's topics. */
  trained: readonly number[];
}

/** Never mutated (a recompute replaces an indicator's entry), so every teacher shares it. */
const NO_STEPS: Contribution = Object.freeze([]);

/** What an event can move, so only those indicators are recomputed. */
type Effect =
  | 'employment'
  | 'held'
  | 'completion'
  | 'facts-only'
  | 'retraction'
  | 'teacher-other'
  | 'topics'
  | 'none';

/*
 * Keyed by every event type (the mapped type fails to compile when one is missing,
 * as ts-pattern's `.exhaustive()` would) and looked up once per event.
 */
const EFFECTS: { readonly [K in EventType]: Effect } = {
  TeacherHired: 'employment',
  TeachingAssignmentChanged: 'employment',
  TeacherTransferred: 'employment',
  TeacherLeft: 'employment',
  DegreeAwarded: 'held',
  DegreeRevoked: 'held',
  CertificateIssued: 'held',
  CertificateRevoked: 'held',
  CourseCompleted: 'completion',
  CourseCompletionRevoked: 'completion',
  // Enrolments are facts (explain shows them) but no indicator reads them.
  TeacherEnrolled: 'facts-only',
  EnrolmentWithdrawn: 'facts-only',
  EventRetracted: 'retraction',
  TeacherRegistered: 'teacher-other',
  PostgraduateStudyStarted: 'teacher-other',
  PostgraduateStudyAbandoned: 'teacher-other',
  TeachingContestAwarded: 'teacher-other',
  ProgrammeRegistered: 'topics',
  ProgrammeTopicsCorrected: 'topics',
  UnitRegistered: 'none',
  UnitRenamed: 'none',
  UnitAreaChanged: 'none',
  UnitMerged: 'none',
  TrainingFunded: 'none',
  AnnualReportSubmitted: 'none',
};

/** Indices of the compiled indicators `which` selects, in order. */
const indicesOf = (
  compiled: readonly CompiledIndicator[],
  which: (c: CompiledIndicator) => boolean,
): number[] => {
  const out: number[] = [];
  for (let i = 0; i < compiled.length; i++) if (which(compiled[i]!)) out.push(i);
  return out;
};

export const createLedgerProjection = (
  indicators: readonly IndicatorDefinition[],
): LedgerProjection => {
  const compiled = compileIndicators(indicators);
  // Which indicators an effect moves, as index lists worked out once (a programme's
  // when its topics change), not a predicate built and called per event.
  const ALL = indicesOf(compiled, () => true);
  const READS_HELD = indicesOf(compiled, (c) => c.reads === 'held');
  const readsTopics = (topics: readonly Topic[]): number[] =>
    indicesOf(
      compiled,
      (c) => c.reads === 'completions' && c.topic !== undefined && topics.includes(c.topic),
    );
  const teachers = new Map<string, TeacherEntry>();
  const programmes = new Map<string, ProgrammeEntry>();
  /**
   * programmeId → teachers with a completion of it (possibly since retracted or
   * revoked), read only when its topics change. A list rather than a set: a teacher
   * is added when their facts hold no completion of the programme yet, so the only
   * repeats come after a retraction and are dropped when the list is read.
   */
  const completers = new Map<string, string[]>();
  const noteCompleter = (programmeId: string, teacherId: string): void => {
    const ids = completers.get(programmeId);
    if (ids === undefined) completers.set(programmeId, [teacherId]);
    else ids.push(teacherId);
  };
  const hasCompleted = (facts: TeacherFacts, programmeId: string): boolean => {
    for (const c of facts.completions) if (c.programmeId === programmeId) return true;
    return false;
  };
  const changedTeachers = new Set<string>();
  const changedProgrammes = new Set<string>();
  const topicsOf = (programmeId: string): readonly Topic[] | undefined =>
    programmes.get(programmeId)?.topics;
  const setProgramme = (programmeId: string, topics: readonly Topic[], position: bigint): void => {
    programmes.set(programmeId, { topics, lastPosition: position, trained: readsTopics(topics) });
  };
  // One input and one row context, reset per recompute: the rows copy what they need.
  const input = new RecomputeInput(topicsOf);
  const ctx = { position: 0n, eventId: '', teacherId: '' };

  const newEntry = (state: TeacherState): TeacherEntry => {
    const segments = permanentSegments(state.facts);
    input.reset(state.facts, segments);
    const perIndicator: Contribution[] = [];
    for (const c of compiled)
      perIndicator.push(segments.length === 0 ? NO_STEPS : c.compute(input));
    return { state, segments, perIndicator };
  };

  /** Recomputes the indicators at `which` and appends the rows of their change to `rows`. */
  const recompute = (
    entry: TeacherEntry,
    event: RecordedEvent,
    which: readonly number[],
    rows: DeltaRow[] = [],
  ): DeltaRow[] => {
    const { segments, perIndicator } = entry;
    ctx.position = event.position;
    ctx.eventId = event.id;
    ctx.teacherId = entry.state.teacherId;
    input.reset(entry.state.facts, segments);
    for (const i of which) {
      const before = perIndicator[i]!;
      // Not in the population before nor after: nothing to compute.
      if (segments.length === 0 && before.length === 0) continue;
      const after = segments.length === 0 ? NO_STEPS : compiled[i]!.compute(input);
      const written = rows.length;
      diff(before, after, ctx, rows);
      // No rows: the same step functions (they are kept canonical), so the older,
      // already long-lived copy is kept and the new one dies young.
      if (rows.length !== written) perIndicator[i] = after;
    }
    return rows;
  };

  const projectTeacherEvent = (effect: Effect, event: RecordedEvent): DeltaRow[] => {
    const teacherId = (event.data as { teacherId: string }).teacherId;
    let entry = teachers.get(teacherId);
    if (entry === undefined) {
      const perIndicator: Contribution[] = [];
      for (let i = 0; i < compiled.length; i++) perIndicator.push(NO_STEPS);
      entry = { state: newTeacherState(teacherId), segments: [], perIndicator };
      teachers.set(teacherId, entry);
    }
    const state = entry.state;
    // At-least-once delivery: an event at or before the last one projected is a redelivery.
    if (event.position <= state.lastPosition) return [];
    state.lastPosition = event.position;
    changedTeachers.add(teacherId);
    if (effect === 'teacher-other') return [];
    if (event.type === 'EventRetracted') {
      const target = event.data.eventId;
      if (!dropEvent(state, target)) return [];
      refold(state);
      entry.segments = permanentSegments(state.facts);
      return recompute(entry, event, ALL);
    }
    keepEvent(state, event);
    if (event.type === 'CourseCompleted' && !hasCompleted(state.facts, event.data.programmeId))
      noteCompleter(event.data.programmeId, teacherId);
    if (!applyFact(state.facts, event)) return [];
    switch (effect) {
      case 'employment':
        entry.segments = permanentSegments(state.facts);
        return recompute(entry, event, ALL);
      case 'held':
        return recompute(entry, event, READS_HELD);
      case 'completion':
        return recompute(
          entry,
          event,
          programmes.get((event.data as { programmeId: string }).programmeId)?.trained ?? [],
        );
      case 'facts-only':
      case 'retraction':
      case 'topics':
      case 'none':
        return [];
    }
  };

  const projectTopics = (
    programmeId: string,
    topics: readonly Topic[],
    event: RecordedEvent,
  ): DeltaRow[] => {
    const prev = programmes.get(programmeId);
    if (prev !== undefined && event.position <= prev.lastPosition) return [];
    setProgramme(programmeId, topics, event.position);
    changedProgrammes.add(programmeId);
    // Reading 4: the new topics hold for every valid date; every completer is recomputed
    // and their rows written at the correction's position.
    const moved = readsTopics([...(prev?.topics ?? []), ...topics]);
    const ids = [...(completers.get(programmeId) ?? [])].sort(compareText);
    const rows: DeltaRow[] = [];
    for (let k = 0; k < ids.length; k++) {
      const entry = teachers.get(ids[k]!);
      if (entry !== undefined && ids[k] !== ids[k - 1]) recompute(entry, event, moved, rows);
    }
    return rows.sort(compareRows);
  };

  const project = (event: RecordedEvent): DeltaRow[] => {
    const effect = EFFECTS[event.type];
    if (effect === 'none') return [];
    if (effect === 'topics') {
      const { programmeId, topics } = event.data as { programmeId: string; topics: Topic[] };
      return projectTopics(programmeId, topics, event);
    }
    return projectTeacherEvent(effect, event);
  };

  return {
    project,
    facts: (teacherId) => teachers.get(teacherId)?.state.facts,
    contribution: (teacherId) => teachers.get(teacherId)?.perIndicator.flat() ?? [],
    topics: topicsOf,
    takeChanged: () => {
      const out = {
        teachers: [...changedTeachers].sort(compareText),
        programmes: [...changedProgrammes].sort(compareText),
      };
      changedTeachers.clear();
      changedProgrammes.clear();
      return out;
    },
    serializeTeacher: (teacherId) => {
      const entry = teachers.get(teacherId);
      return entry === undefined ? undefined : serializeTeacher(entry.state);
    },
    loadTeacher: (serialized) => {
      const state = deserializeTeacher(serialized);
      const seen: string[] = [];
      for (const c of state.facts.completions)
        if (!seen.includes(c.programmeId)) {
          seen.push(c.programmeId);
          noteCompleter(c.programmeId, state.teacherId);
        }
      teachers.set(state.teacherId, newEntry(state));
    },
    serializeProgramme: (programmeId) => {
      const p = programmes.get(programmeId);
      return p === undefined
        ? undefined
        : { v: 1, programmeId, topics: p.topics, lastPosition: p.lastPosition.toString() };
    },
    loadProgramme: (s) => {
      setProgramme(s.programmeId, s.topics, BigInt(s.lastPosition));
    },
    clear: () => {
      teachers.clear();
      programmes.clear();
      completers.clear();
      changedTeachers.clear();
      changedProgrammes.clear();
    },
  };
};
