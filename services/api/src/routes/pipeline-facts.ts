import {
  type EmploymentSegment,
  type Positioned,
  type RecordedEvent,
  type TeacherFacts,
  type Topic,
  type UnitTimeline,
  applyFact,
  emptyFacts,
  emptyUnitTimeline,
  foldTeacherFacts,
  isUnitEvent,
  retractedIds,
  unitTimelineFrom,
} from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';

/** A postgraduate study as its `PostgraduateStudyStarted` recorded it. */
export interface StudyFact {
  readonly level: 'master' | 'doctorate';
  readonly startedOn: string;
  readonly expectedOn: string | undefined;
}

export interface AbandonFact {
  readonly level: 'master' | 'doctorate';
  readonly abandonedOn: string;
}

/**
 * What the pipeline needs of one teacher: the folded facts (employment, degrees,
 * enrolments, completions) and the postgraduate studies the facts do not keep.
 */
export interface PipelineTeacher {
  facts: TeacherFacts;
  studies: StudyFact[];
  abandoned: AbandonFact[];
  /** `employmentSegments(facts)`, kept until the facts change. */
  segments: EmploymentSegment[] | undefined;
}

/** Everything the pipeline is computed from, as of one store position. */
export interface PipelineSnapshot {
  readonly position: bigint;
  readonly teachers: ReadonlyMap<string, PipelineTeacher>;
  readonly timeline: UnitTimeline;
  /** Each programme's topics as last registered or corrected (reading 4). */
  readonly topics: ReadonlyMap<string, readonly Topic[]>;
}

const TEACHER_STREAM = 'teacher-';

const emptyTeacher = (teacherId: string): PipelineTeacher => ({
  facts: emptyFacts(teacherId),
  studies: [],
  abandoned: [],
  segments: undefined,
});

const addStudy = (t: PipelineTeacher, e: RecordedEvent): void => {
  if (e.type === 'PostgraduateStudyStarted')
    t.studies.push({
      level: e.data.level,
      startedOn: e.data.startedOn,
      expectedOn: e.data.expectedOn,
    });
  else if (e.type === 'PostgraduateStudyAbandoned')
    t.abandoned.push({ level: e.data.level, abandonedOn: e.data.abandonedOn });
};

/** A teacher from their whole stream, minus retracted events (reading 3). */
export const teacherFromEvents = (
  teacherId: string,
  events: readonly RecordedEvent[],
): PipelineTeacher => {
  const retracted = retractedIds(events);
  const t: PipelineTeacher = {
    ...emptyTeacher(teacherId),
    facts: foldTeacherFacts(teacherId, events),
  };
  for (const e of events) if (!retracted.has(e.id)) addStudy(t, e);
  return t;
};

/**
 * The pipeline's inputs kept in memory and brought forward from the store's
 * log incrementally: the first call reads the log once, later calls read only
 * what was appended since. A retraction re-reads that teacher's stream (up to
 * the retraction), since the fold cannot take an event back.
 */
export const createPipelineSource = (store: EventStore) => {
  const teachers = new Map<string, PipelineTeacher>();
  const unitEvents: Positioned[] = [];
  const topics = new Map<string, readonly Topic[]>();
  let timeline: UnitTimeline = emptyUnitTimeline;
  let position = -1n;
  let running: Promise<unknown> = Promise.resolve();

  const rereadTeacher = async (teacherId: string, upTo: bigint): Promise<void> => {
    const events: RecordedEvent[] = [];
    for await (const e of store.readStream(`${TEACHER_STREAM}${teacherId}`))
      if (e.position <= upTo) events.push(e);
    teachers.set(teacherId, teacherFromEvents(teacherId, events));
  };

  const apply = async (e: RecordedEvent): Promise<boolean> => {
    if (e.stream.startsWith(TEACHER_STREAM)) {
      const teacherId = e.stream.slice(TEACHER_STREAM.length);
      if (e.type === 'EventRetracted') {
        await rereadTeacher(teacherId, e.position);
        return false;
      }
      let t = teachers.get(teacherId);
      if (t === undefined) teachers.set(teacherId, (t = emptyTeacher(teacherId)));
      if (applyFact(t.facts, e)) t.segments = undefined;
      addStudy(t, e);
      return false;
    }
    if (e.type === 'ProgrammeRegistered' || e.type === 'ProgrammeTopicsCorrected') {
      topics.set(e.data.programmeId, e.data.topics);
      return false;
    }
    if (isUnitEvent(e)) {
      unitEvents.push(e);
      return true;
    }
    return false;
  };

  const advance = async (upTo: bigint): Promise<PipelineSnapshot> => {
    let unitsChanged = false;
    if (upTo > position) {
      for await (const e of store.readAll(position < 0n ? {} : { after: position })) {
        if (e.position > upTo) break;
        if (await apply(e)) unitsChanged = true;
        position = e.position;
      }
      // Nothing more was stored up to the bound: the snapshot stands for it.
      if (position < upTo) position = upTo;
    }
    if (unitsChanged) timeline = unitTimelineFrom(unitEvents);
    return { position, teachers, timeline, topics };
  };

  return {
    /**
     * Brings the inputs to the store position `upTo` (the read model's
     * checkpoint, so the pipeline and the figures describe the same log) and
     * runs `use` on them. Calls run one after another, so `use` sees the
     * inputs at exactly that position.
     */
    at<T>(upTo: bigint, use: (snapshot: PipelineSnapshot) => T): Promise<T> {
      const run = running.then(
        () => advance(upTo),
        () => advance(upTo),
      );
      const done = run.then(use);
      running = done;
      return done;
    },
  };
};

export type PipelineSource = ReturnType<typeof createPipelineSource>;
