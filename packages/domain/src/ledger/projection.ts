import { match } from 'ts-pattern';
import type { RecordedEvent } from '../events/recorded.js';
import type { Topic } from '../events/vocabulary.js';
import { type FactEvent, applyFact } from '../facts/fold.js';
import type { TeacherFacts } from '../facts/types.js';
import { computeContribution } from '../indicators/contribution.js';
import type { IndicatorDefinition } from '../indicators/rule.js';
import { type Contribution, compareText } from '../indicators/step.js';
import type { DeltaRow } from './delta.js';
import { compareRows, diff } from './diff.js';
import {
  FACT_EVENT_TYPES,
  type SerializedTeacher,
  type TeacherState,
  deserializeTeacher,
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
  contribution: Contribution;
}

interface ProgrammeEntry {
  topics: readonly Topic[];
  lastPosition: bigint;
}

const EMPTY: Contribution = [];

export const createLedgerProjection = (
  indicators: readonly IndicatorDefinition[],
): LedgerProjection => {
  const teachers = new Map<string, TeacherEntry>();
  const programmes = new Map<string, ProgrammeEntry>();
  /** programmeId → teachers with a completion of it (possibly since retracted or revoked). */
  const completers = new Map<string, Set<string>>();
  const changedTeachers = new Set<string>();
  const changedProgrammes = new Set<string>();
  const topicsOf = (programmeId: string): readonly Topic[] | undefined =>
    programmes.get(programmeId)?.topics;

  const noteCompleter = (programmeId: string, teacherId: string): void => {
    let set = completers.get(programmeId);
    if (set === undefined) completers.set(programmeId, (set = new Set()));
    set.add(teacherId);
  };

  const recompute = (entry: TeacherEntry, event: RecordedEvent): DeltaRow[] => {
    const after = computeContribution(entry.state.facts, indicators, topicsOf);
    const rows = diff(entry.contribution, after, {
      position: event.position,
      eventId: event.id,
      teacherId: entry.state.teacherId,
    });
    entry.contribution = after;
    return rows;
  };

  const projectTeacherEvent = (teacherId: string, event: RecordedEvent): DeltaRow[] => {
    let entry = teachers.get(teacherId);
    if (entry === undefined) {
      entry = { state: newTeacherState(teacherId), contribution: EMPTY };
      teachers.set(teacherId, entry);
    }
    const state = entry.state;
    // At-least-once delivery: an event at or before the last one projected is a redelivery.
    if (event.position <= state.lastPosition) return [];
    state.lastPosition = event.position;
    changedTeachers.add(teacherId);
    if (event.type === 'EventRetracted') {
      const target = event.data.eventId;
      const at = state.events.findIndex((e) => e.id === target);
      if (at < 0) return [];
      state.events.splice(at, 1);
      refold(state);
      return recompute(entry, event);
    }
    if (!FACT_EVENT_TYPES.has(event.type)) return [];
    state.events.push({ id: event.id, type: event.type, data: event.data } as FactEvent);
    if (event.type === 'CourseCompleted') noteCompleter(event.data.programmeId, teacherId);
    if (!applyFact(state.facts, event)) return [];
    return recompute(entry, event);
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
    const ids = [...(completers.get(programmeId) ?? [])].sort(compareText);
    const rows: DeltaRow[] = [];
    for (const id of ids) {
      const entry = teachers.get(id);
      if (entry !== undefined) rows.push(...recompute(entry, event));
    }
    return rows.sort(compareRows);
  };

  const project = (event: RecordedEvent): DeltaRow[] =>
    match(event)
      .with(
        { type: 'TeacherRegistered' },
        { type: 'TeacherHired' },
        { type: 'TeachingAssignmentChanged' },
        { type: 'TeacherTransferred' },
        { type: 'TeacherLeft' },
        { type: 'DegreeAwarded' },
        { type: 'DegreeRevoked' },
        { type: 'CertificateIssued' },
        { type: 'CertificateRevoked' },
        { type: 'TeacherEnrolled' },
        { type: 'CourseCompleted' },
        { type: 'EnrolmentWithdrawn' },
        { type: 'CourseCompletionRevoked' },
        { type: 'PostgraduateStudyStarted' },
        { type: 'PostgraduateStudyAbandoned' },
        { type: 'TeachingContestAwarded' },
        { type: 'EventRetracted' },
        (e) => projectTeacherEvent(e.data.teacherId, event),
      )
      .with({ type: 'ProgrammeRegistered' }, { type: 'ProgrammeTopicsCorrected' }, (e) =>
        projectTopics(e.data.programmeId, e.data.topics, event),
      )
      .with(
        { type: 'UnitRegistered' },
        { type: 'UnitRenamed' },
        { type: 'UnitAreaChanged' },
        { type: 'UnitMerged' },
        { type: 'TrainingFunded' },
        { type: 'AnnualReportSubmitted' },
        () => [],
      )
      .exhaustive();

  return {
    project,
    facts: (teacherId) => teachers.get(teacherId)?.state.facts,
    contribution: (teacherId) => teachers.get(teacherId)?.contribution ?? EMPTY,
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
      teachers.set(state.teacherId, {
        state,
        contribution: computeContribution(state.facts, indicators, topicsOf),
      });
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
