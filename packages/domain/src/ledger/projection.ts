import type { RecordedEvent } from '../events/recorded.js';
import type { Topic } from '../events/vocabulary.js';
import { applyFact } from '../facts/fold.js';
import type { TeacherFacts } from '../facts/types.js';
import type { EventType } from '../events/schemas.js';
import type { EmploymentSegment } from '../facts/employment.js';
import {
  type CompiledIndicator,
  compileIndicators,
  contributionInput,
  permanentSegments,
} from '../indicators/contribution.js';
import type { IndicatorDefinition } from '../indicators/rule.js';
import { type Contribution, type StepFunction, compareText } from '../indicators/step.js';
import type { DeltaRow } from './delta.js';
import { compareRows, diff } from './diff.js';
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
 * The delta ledger projection (design.md §5), driven event by event in log order.
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
}

interface TeacherEntry {
  state: TeacherState;
  /** Permanent employment segments, recomputed only when employment facts change. */
  segments: EmploymentSegment[];
  /** Step functions per compiled indicator (same index), each sorted by unitId. */
  perIndicator: StepFunction[][];
}

interface ProgrammeEntry {
  topics: readonly Topic[];
  lastPosition: bigint;
}

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

const ALL = (): boolean => true;
const READS_HELD = (c: CompiledIndicator): boolean => c.reads === 'held';

export const createLedgerProjection = (
  indicators: readonly IndicatorDefinition[],
): LedgerProjection => {
  const compiled = compileIndicators(indicators);
  const teachers = new Map<string, TeacherEntry>();
  const programmes = new Map<string, ProgrammeEntry>();
  /** programmeId → teachers with a completion of it (possibly since retracted or revoked). */
  const completers = new Map<string, Set<string>>();
  const changedTeachers = new Set<string>();
  const changedProgrammes = new Set<string>();
  const topicsOf = (programmeId: string): readonly Topic[] | undefined =>
    programmes.get(programmeId)?.topics;
  const readsTopics =
    (topics: readonly Topic[] | undefined) =>
    (c: CompiledIndicator): boolean =>
      c.reads === 'completions' && c.topic !== undefined && (topics?.includes(c.topic) ?? false);

  const noteCompleter = (programmeId: string, teacherId: string): void => {
    let set = completers.get(programmeId);
    if (set === undefined) completers.set(programmeId, (set = new Set()));
    set.add(teacherId);
  };

  const newEntry = (state: TeacherState): TeacherEntry => {
    const segments = permanentSegments(state.facts);
    const input = contributionInput(state.facts, segments, topicsOf);
    return {
      state,
      segments,
      perIndicator: compiled.map((c) => (segments.length === 0 ? [] : c.compute(input))),
    };
  };

  /** Recomputes the indicators `which` selects and returns the rows of their change. */
  const recompute = (
    entry: TeacherEntry,
    event: RecordedEvent,
    which: (c: CompiledIndicator) => boolean,
    rows: DeltaRow[] = [],
  ): DeltaRow[] => {
    const { segments, perIndicator } = entry;
    const ctx = { position: event.position, eventId: event.id, teacherId: entry.state.teacherId };
    const input = contributionInput(entry.state.facts, segments, topicsOf);
    for (let i = 0; i < compiled.length; i++) {
      const c = compiled[i]!;
      const before = perIndicator[i]!;
      // Not in the population before nor after: nothing to compute.
      if (segments.length === 0 && before.length === 0) continue;
      if (!which(c)) continue;
      const after = segments.length === 0 ? [] : c.compute(input);
      for (const row of diff(before, after, ctx)) rows.push(row);
      perIndicator[i] = after;
    }
    return rows;
  };

  const projectTeacherEvent = (effect: Effect, event: RecordedEvent): DeltaRow[] => {
    const teacherId = (event.data as { teacherId: string }).teacherId;
    let entry = teachers.get(teacherId);
    if (entry === undefined) {
      entry = {
        state: newTeacherState(teacherId),
        segments: [],
        perIndicator: compiled.map(() => []),
      };
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
    if (event.type === 'CourseCompleted') noteCompleter(event.data.programmeId, teacherId);
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
          readsTopics(topicsOf((event.data as { programmeId: string }).programmeId)),
        );
      default:
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
    programmes.set(programmeId, { topics, lastPosition: event.position });
    changedProgrammes.add(programmeId);
    // Reading 4: the new topics hold for every valid date; every completer is recomputed
    // and their rows written at the correction's position.
    const moved = readsTopics([...(prev?.topics ?? []), ...topics]);
    const ids = [...(completers.get(programmeId) ?? [])].sort(compareText);
    const rows: DeltaRow[] = [];
    for (const id of ids) {
      const entry = teachers.get(id);
      if (entry !== undefined) recompute(entry, event, moved, rows);
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
      for (const c of state.facts.completions) noteCompleter(c.programmeId, state.teacherId);
      teachers.set(state.teacherId, newEntry(state));
    },
    serializeProgramme: (programmeId) => {
      const p = programmes.get(programmeId);
      return p === undefined
        ? undefined
        : { v: 1, programmeId, topics: p.topics, lastPosition: p.lastPosition.toString() };
    },
    loadProgramme: (s) => {
      programmes.set(s.programmeId, { topics: s.topics, lastPosition: BigInt(s.lastPosition) });
    },
  };
};
