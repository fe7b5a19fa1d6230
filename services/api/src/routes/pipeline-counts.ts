import {
  type Plan,
  TOPICS,
  type Topic,
  completionHeld,
  degreeRank,
  employmentSegments,
  heldOn,
  resolveUnit,
  segmentOn,
} from '@nhagiao/domain';
import type { PipelineSnapshot, PipelineTeacher, StudyFact } from './pipeline-facts.js';

const MASTER_RANK = degreeRank('master');

export interface StudyRow {
  /** Year of `expectedOn`; null when the study did not say when it ends. */
  readonly expectedYear: number | null;
  readonly level: 'master' | 'doctorate';
  /** Studies under way on asOf. */
  readonly studies: number;
  /**
   * Teachers whose earliest-expected study this is and who hold no master or
   * doctorate on asOf: the ones a completion would add to `master-or-above`.
   */
  readonly newToMasterOrAbove: number;
  readonly teacherIds?: readonly string[];
}

export interface EnrolmentRow {
  readonly topic: Topic;
  /** Open enrolments in programmes with this topic. */
  readonly enrolments: number;
  /** Teachers with at least one such enrolment. */
  readonly teachers: number;
  /** Of those, the ones not yet counted in `trained-<topic>` on asOf. */
  readonly notYetTrained: number;
  readonly teacherIds?: readonly string[];
}

export interface DepartureRow {
  /** `YYYY-MM` of `leftOn`. */
  readonly month: string;
  readonly teachers: number;
  /** Of those, holding a master or doctorate on asOf. */
  readonly masterOrAbove: number;
  /** Of those, counted in `trained-<topic>` on asOf, for each topic the plan trains. */
  readonly trained: Readonly<Record<string, number>>;
  readonly teacherIds?: readonly string[];
}

export interface PipelineCounts {
  readonly asOf: string;
  readonly scope: string;
  /** Permanent teachers employed on asOf at a unit in scope (the indicators' population). */
  readonly population: number;
  readonly postgraduate: readonly StudyRow[];
  readonly enrolments: readonly EnrolmentRow[];
  readonly departures: readonly DepartureRow[];
}

/** Whether a resolved unit falls in `scope` (`province`, `unit:`, `area:`, `kind:`). */
const inScope = (unit: { unitId: string; area: string; kind: string }, scope: string): boolean => {
  if (scope === 'province') return true;
  const at = scope.indexOf(':');
  const kind = scope.slice(0, at);
  const value = scope.slice(at + 1);
  return kind === 'unit'
    ? unit.unitId === value
    : kind === 'area'
      ? unit.area === value
      : kind === 'kind' && unit.kind === value;
};

/** Studies under way on asOf: started, not abandoned and no degree of that level awarded since. */
export const studiesUnderWay = (t: PipelineTeacher, asOf: string): StudyFact[] =>
  t.studies.filter(
    (s) =>
      s.startedOn <= asOf &&
      !t.abandoned.some(
        (a) => a.level === s.level && a.abandonedOn >= s.startedOn && a.abandonedOn <= asOf,
      ) &&
      !t.facts.degrees.some(
        (d) => d.level === s.level && d.awardedOn >= s.startedOn && d.awardedOn <= asOf,
      ),
  );

/** Enrolments open on asOf: enrolled, not withdrawn by then, no completion of it by then. */
const openEnrolments = (t: PipelineTeacher, asOf: string): string[] =>
  t.facts.enrolments
    .filter(
      (e) =>
        e.enrolledOn <= asOf &&
        (e.withdrawnOn === undefined || e.withdrawnOn > asOf) &&
        !t.facts.completions.some(
          (c) =>
            c.programmeId === e.programmeId &&
            c.completedOn >= e.enrolledOn &&
            c.completedOn <= asOf,
        ),
    )
    .map((e) => e.programmeId);

const byExpected = (a: StudyFact, b: StudyFact): number => {
  const x = a.expectedOn ?? '9999-12-31';
  const y = b.expectedOn ?? '9999-12-31';
  return x < y ? -1 : x > y ? 1 : 0;
};

const sorted = (ids: Set<string>): string[] => [...ids].sort();

/**
 * The forecast's pipeline on asOf for a scope: postgraduate studies under way,
 * open enrolments by topic and announced departures by month, each among the
 * population (permanent teachers employed on asOf at a unit in scope, after
 * transfers and merges). With `withTeachers`, each row names its teachers.
 */
export const pipelineCounts = (
  snapshot: PipelineSnapshot,
  plan: Plan,
  asOf: string,
  scope: string,
  withTeachers: boolean,
): PipelineCounts => {
  const trainedTopics = plan.indicators.flatMap((i) =>
    i.rule.kind === 'trained' ? [i.rule.topic] : [],
  );
  const studies = new Map<string, { row: Omit<StudyRow, 'teachers'>; ids: Set<string> }>();
  const enrolments = new Map<Topic, { enrolments: number; ids: Set<string>; notYet: number }>();
  const departures = new Map<
    string,
    { teachers: number; masterOrAbove: number; trained: Record<string, number>; ids: Set<string> }
  >();
  let population = 0;

  for (const [teacherId, t] of snapshot.teachers) {
    const seg = segmentOn((t.segments ??= employmentSegments(t.facts)), asOf);
    if (seg === undefined || seg.employment !== 'permanent') continue;
    const unit = resolveUnit(snapshot.timeline, seg.unitId, asOf);
    if (unit === undefined || !inScope(unit, scope)) continue;
    population += 1;
    const master = heldOn(t.facts, asOf).degreeRank >= MASTER_RANK;
    const trained = new Set<Topic>();
    for (const c of t.facts.completions) {
      if (c.completedOn < plan.countFrom || !completionHeld(c, asOf)) continue;
      for (const topic of snapshot.topics.get(c.programmeId) ?? []) trained.add(topic);
    }

    const under = studiesUnderWay(t, asOf).sort(byExpected);
    under.forEach((s, i) => {
      const expectedYear = s.expectedOn === undefined ? null : Number(s.expectedOn.slice(0, 4));
      const key = `${expectedYear ?? ''}|${s.level}`;
      let entry = studies.get(key);
      if (entry === undefined) {
        entry = {
          row: { expectedYear, level: s.level, studies: 0, newToMasterOrAbove: 0 },
          ids: new Set(),
        };
        studies.set(key, entry);
      }
      entry.row = {
        ...entry.row,
        studies: entry.row.studies + 1,
        // A teacher with two studies under way adds once, by the earliest expected.
        newToMasterOrAbove: entry.row.newToMasterOrAbove + (i === 0 && !master ? 1 : 0),
      };
      entry.ids.add(teacherId);
    });

    const topicsOpen = new Map<Topic, number>();
    for (const programmeId of openEnrolments(t, asOf))
      for (const topic of snapshot.topics.get(programmeId) ?? [])
        topicsOpen.set(topic, (topicsOpen.get(topic) ?? 0) + 1);
    for (const [topic, n] of topicsOpen) {
      const e = enrolments.get(topic) ?? { enrolments: 0, ids: new Set<string>(), notYet: 0 };
      e.enrolments += n;
      e.ids.add(teacherId);
      if (!trained.has(topic)) e.notYet += 1;
      enrolments.set(topic, e);
    }

    const employment = t.facts.employments.find((e) => e.eventId === seg.hireEventId);
    const leftOn = employment?.leftOn;
    if (leftOn !== undefined && leftOn > asOf) {
      const month = leftOn.slice(0, 7);
      const d = departures.get(month) ?? {
        teachers: 0,
        masterOrAbove: 0,
        trained: Object.fromEntries(trainedTopics.map((topic) => [topic, 0])),
        ids: new Set<string>(),
      };
      d.teachers += 1;
      if (master) d.masterOrAbove += 1;
      for (const topic of trainedTopics)
        if (trained.has(topic)) d.trained[topic] = (d.trained[topic] ?? 0) + 1;
      d.ids.add(teacherId);
      departures.set(month, d);
    }
  }

  return {
    asOf,
    scope,
    population,
    postgraduate: [...studies.values()]
      .sort(
        (a, b) =>
          (a.row.expectedYear ?? 10_000) - (b.row.expectedYear ?? 10_000) ||
          (a.row.level < b.row.level ? -1 : a.row.level > b.row.level ? 1 : 0),
      )
      .map(({ row, ids }) => (withTeachers ? { ...row, teacherIds: sorted(ids) } : row)),
    enrolments: TOPICS.flatMap((topic) => {
      const e = enrolments.get(topic);
      if (e === undefined) return [];
      const row = {
        topic,
        enrolments: e.enrolments,
        teachers: e.ids.size,
        notYetTrained: e.notYet,
      };
      return [withTeachers ? { ...row, teacherIds: sorted(e.ids) } : row];
    }),
    departures: [...departures]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([month, d]) => {
        const row = {
          month,
          teachers: d.teachers,
          masterOrAbove: d.masterOrAbove,
          trained: d.trained,
        };
        return withTeachers ? { ...row, teacherIds: sorted(d.ids) } : row;
      }),
  };
};
