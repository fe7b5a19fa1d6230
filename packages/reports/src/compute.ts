import {
  DEGREE_LEVELS,
  type DegreeLevel,
  EVENT_TYPES,
  type Plan,
  type RecordedEvent,
  TEACHING_LEVELS,
  TOPICS,
  type Topic,
  completionHeld,
  employmentSegments,
  foldTeacherFacts,
  heldOn,
  highestDegree,
  meetsStandard,
  reportDueOn,
  resolveUnit,
  STREAM_KIND_OF,
  segmentOn,
  targetFor,
  unitTimelineFrom,
} from '@nhagiao/domain';
import { type EventStore, hasBatchReads } from '@nhagiao/eventstore/core';
import type { ReadModelStore } from '@nhagiao/readmodels';
import type {
  AnnualReport,
  FundingLine,
  IndicatorLine,
  PostgraduateLine,
  SplitCount,
  StandardLine,
  TrainingLine,
} from './types.js';

export interface AnnualReportInput {
  readonly plan: Plan;
  readonly readModel: ReadModelStore;
  readonly store: EventStore;
  readonly unitId: string;
  readonly year: number;
  /** Default: 30 June of `year` (see README). */
  readonly asOf?: string;
  /** Only events at positions ≤ knownAt; default: the whole log. */
  readonly knownAt?: bigint;
  /** Passed in: the package reads no clock. */
  readonly generatedAt: string;
  readonly checkpoint?: string;
}

/** What a unit submits: each indicator of the plan, in plan order. */
export interface SubmittedValue {
  readonly indicator: string;
  readonly numerator: number;
  readonly denominator: number;
}

/**
 * The plan's indicators for the scope `unit:<unitId>` (after merges, as
 * `indicators --by unit` shows them), as of `asOf`, as known at `knownAt`.
 * A unit with no teachers in an indicator's population gets 0/0.
 */
export const unitIndicatorValues = async (
  readModel: Pick<ReadModelStore, 'figures'>,
  plan: Plan,
  unitId: string,
  asOf: string,
  knownAt?: bigint,
): Promise<SubmittedValue[]> => {
  const scope = `unit:${unitId}`;
  const figures = await readModel.figures({
    indicators: plan.indicators,
    asOf,
    by: 'unit',
    ...(knownAt === undefined ? {} : { knownAt }),
  });
  return plan.indicators.map((ind) => {
    const f = figures.find((r) => r.indicator === ind.code && r.scope === scope);
    return { indicator: ind.code, numerator: f?.numerator ?? 0, denominator: f?.denominator ?? 0 };
  });
};

/**
 * The figures of an annual report signed off now: `unitIndicatorValues` at the
 * log's head, once the read model has caught up with it (`catchUp`, the
 * embedded mode's catch-up; a read model fed by projectors must have reached
 * the head, or the submission is to be tried again). It is the computation
 * `nhagiao verify` repeats at the report's position − 1, so a report recorded
 * with these figures matches when verified. The write side
 * (`annualReports` of @nhagiao/ingest) calls it for every sign-off.
 */
export const reportValuesAtHead = (deps: {
  readonly store: Pick<EventStore, 'head'>;
  readonly readModel: Pick<ReadModelStore, 'figures' | 'checkpoint'>;
  readonly plan: Plan;
  readonly catchUp?: () => Promise<void>;
  /** The read model's projection whose checkpoint is compared with the head (default `ledger`). */
  readonly projection?: string;
  /** Why a sign-off's checkpoint is not one the log had (undefined: it is); absent: not checked. */
  readonly checkpointIssue?: (checkpoint: string) => string | undefined;
}): {
  values(unitId: string, asOf: string): Promise<SubmittedValue[]>;
  checkpointIssue?(checkpoint: string): string | undefined;
} => ({
  ...(deps.checkpointIssue === undefined ? {} : { checkpointIssue: deps.checkpointIssue }),
  async values(unitId, asOf) {
    await deps.catchUp?.();
    const head = await deps.store.head();
    if (head === null) return unitIndicatorValues(deps.readModel, deps.plan, unitId, asOf);
    const at = await deps.readModel.checkpoint(deps.projection ?? 'ledger');
    if (at === null || at < head)
      throw new ReportError(
        `the read model is at position ${at ?? 'none'}, behind the log's head ${head}`,
      );
    return unitIndicatorValues(deps.readModel, deps.plan, unitId, asOf, head);
  },
});

/**
 * Mid-year: the report is due 25 August and reports the school year just
 * ended, so the roll as of 30 June is the one every unit can close before the
 * deadline (docs/indicators.md § Plan 423 and its targets).
 */
export const defaultAsOf = (year: number): string => `${year}-06-30`;

export class ReportError extends Error {
  override readonly name = 'ReportError';
}

const split = (): { permanent: number; visiting: number } => ({ permanent: 0, visiting: 0 });
const total = (c: { permanent: number; visiting: number }): SplitCount => ({
  ...c,
  total: c.permanent + c.visiting,
});

/** The log up to a position, as the report needs it, apart from the teachers' events. */
interface Context {
  readonly units: RecordedEvent[];
  readonly topics: Map<string, readonly Topic[]>;
  readonly funding: RecordedEvent[];
  /** Teacher id → the units their hires and transfers named (a segment's unit is one of them). */
  readonly placed: Map<string, Set<string>>;
}

const TEACHER = 'teacher-';

/**
 * What the context pass reads: every event outside the teachers' streams (units,
 * programmes, funding, reports) and the teacher events that name a unit to work
 * at. A few percent of the log, so a report does not read every teacher's history.
 */
const CONTEXT_TYPES: readonly string[] = [
  ...EVENT_TYPES.filter((t) => STREAM_KIND_OF[t] !== 'teacher'),
  'TeacherHired',
  'TeacherTransferred',
];

/**
 * The context pass over the log up to `until`, filtered by type inside the store
 * where it can. Teacher events other than hires and transfers are passed over
 * here too, so a store that gives every event yields the same context.
 */
const readContext = async (store: EventStore, until: bigint): Promise<Context> => {
  const context: Context = { units: [], topics: new Map(), funding: [], placed: new Map() };
  const take = (e: RecordedEvent): void => {
    if (e.type === 'TeacherHired' || e.type === 'TeacherTransferred') {
      const id = e.stream.slice(TEACHER.length);
      let units = context.placed.get(id);
      if (units === undefined) context.placed.set(id, (units = new Set()));
      units.add(e.type === 'TeacherHired' ? e.data.unitId : e.data.toUnitId);
    } else if (e.stream.startsWith(TEACHER)) return;
    else if (e.stream.startsWith('unit-')) context.units.push(e);
    else if (e.type === 'ProgrammeRegistered' || e.type === 'ProgrammeTopicsCorrected')
      context.topics.set(e.data.programmeId, e.data.topics);
    else if (e.type === 'TrainingFunded') context.funding.push(e);
  };
  if (hasBatchReads(store)) {
    for await (const page of store.readAllBatches({ until, types: CONTEXT_TYPES }))
      for (const e of page) take(e);
  } else {
    for await (const e of store.readAll()) {
      if (e.position > until) break;
      take(e);
    }
  }
  return context;
};

/**
 * The events up to `until` of each teacher placed (hired or transferred) at a
 * unit that `belongs` to the report's unit, in the order their first events
 * appear in the log. Every teacher whose segment on the as-of date lies in the
 * unit is among them; the fold then decides which are.
 */
const readPlacedTeachers = async (
  store: EventStore,
  context: Context,
  until: bigint,
  belongs: (unitId: string) => boolean,
): Promise<[string, RecordedEvent[]][]> => {
  const out: [string, RecordedEvent[]][] = [];
  for (const [teacherId, units] of context.placed) {
    if (![...units].some(belongs)) continue;
    const events: RecordedEvent[] = [];
    for await (const e of store.readStream(`${TEACHER}${teacherId}`))
      if (e.position <= until) events.push(e);
    if (events.length > 0) out.push([teacherId, events]);
  }
  return out.sort(([, a], [, b]) => (a[0]!.position < b[0]!.position ? -1 : 1));
};

/** Events of a teacher minus retracted ones (reading 3), for the facts the fold does not keep. */
const unretracted = (events: readonly RecordedEvent[]): RecordedEvent[] => {
  const retracted = new Set(
    events.flatMap((e) => (e.type === 'EventRetracted' ? [e.data.eventId] : [])),
  );
  return events.filter((e) => !retracted.has(e.id));
};

const postgraduateInProgress = (
  events: readonly RecordedEvent[],
  asOf: string,
): Omit<PostgraduateLine, 'teacherId' | 'fullName'>[] => {
  const out: Omit<PostgraduateLine, 'teacherId' | 'fullName'>[] = [];
  for (const e of events) {
    if (e.type !== 'PostgraduateStudyStarted' || e.data.startedOn > asOf) continue;
    const { level, startedOn } = e.data;
    // Ended by abandoning it, or by being awarded a degree of that level after starting.
    const ended = events.some(
      (x) =>
        (x.type === 'PostgraduateStudyAbandoned' &&
          x.data.level === level &&
          x.data.abandonedOn >= startedOn &&
          x.data.abandonedOn <= asOf) ||
        (x.type === 'DegreeAwarded' &&
          x.data.level === level &&
          x.data.awardedOn >= startedOn &&
          x.data.awardedOn <= asOf),
    );
    if (!ended)
      out.push({
        level,
        institution: e.data.institution,
        startedOn,
        expectedOn: e.data.expectedOn ?? null,
      });
  }
  return out;
};

/**
 * The annual report of one unit (its scope after merges, as for `indicators
 * --by unit`) as of `asOf`, as known at `knownAt`. Pure given the read model
 * and the store: the same log gives the same report.
 */
export const computeAnnualReport = async (input: AnnualReportInput): Promise<AnnualReport> => {
  const { plan, readModel, store, unitId, year, knownAt } = input;
  const asOf = input.asOf ?? defaultAsOf(year);
  const head = await store.head();
  const until = knownAt ?? head ?? 0n;
  const log = await readContext(store, until);
  const timeline = unitTimelineFrom(log.units);
  const unit = resolveUnit(timeline, unitId, asOf, knownAt);
  if (unit === undefined) throw new ReportError(`unit ${unitId} is not registered (as known)`);
  if (unit.unitId !== unitId)
    throw new ReportError(
      `unit ${unitId} was merged into ${unit.unitId} on or before ${asOf}: report for ${unit.unitId}`,
    );

  const values = await unitIndicatorValues(readModel, plan, unitId, asOf, knownAt);
  const indicators: IndicatorLine[] = plan.indicators.map((ind, i) => {
    const numerator = values[i]?.numerator ?? 0;
    const denominator = values[i]?.denominator ?? 0;
    return {
      indicator: ind.code,
      titleVi: ind.title.vi,
      titleEn: ind.title.en,
      numerator,
      denominator,
      value: denominator === 0 ? null : numerator / denominator,
      target2025: targetFor(plan, ind.code, 2025)?.target ?? null,
      target2030: targetFor(plan, ind.code, 2030)?.target ?? null,
    };
  });

  const standardRule = plan.indicators.find((i) => i.rule.kind === 'meets-standard')?.rule;
  const byDegree = new Map<DegreeLevel | 'none', { permanent: number; visiting: number }>();
  const byLevel = new Map(TEACHING_LEVELS.map((l) => [l, split()]));
  const employment = { permanent: 0, visiting: 0 };
  const standard: StandardLine[] = [];
  const trainedTeachers = new Map<Topic, number>(TOPICS.map((t) => [t, 0]));
  const completions = new Map<Topic, number>(TOPICS.map((t) => [t, 0]));
  const postgraduate: PostgraduateLine[] = [];
  const attended = new Set<string>();

  const teachers = await readPlacedTeachers(
    store,
    log,
    until,
    (placedAt) => resolveUnit(timeline, placedAt, asOf, knownAt)?.unitId === unitId,
  );
  for (const [teacherId, events] of teachers) {
    const facts = foldTeacherFacts(teacherId, events);
    const seg = segmentOn(employmentSegments(facts), asOf);
    if (seg === undefined) continue;
    if (resolveUnit(timeline, seg.unitId, asOf, knownAt)?.unitId !== unitId) continue;
    const kind = seg.employment;
    employment[kind] += 1;
    const registered = events.find((e) => e.type === 'TeacherRegistered');
    const fullName = registered?.type === 'TeacherRegistered' ? registered.data.fullName : null;
    const degree = highestDegree(heldOn(facts, asOf)) ?? 'none';
    const d = byDegree.get(degree) ?? split();
    d[kind] += 1;
    byDegree.set(degree, d);
    for (const level of seg.levels) {
      const l = byLevel.get(level);
      if (l) l[kind] += 1;
    }
    if (
      standardRule?.kind === 'meets-standard' &&
      unit.kind === standardRule.unitKind &&
      kind === 'permanent'
    ) {
      const verdict = meetsStandard(facts, asOf, standardRule.standardVersion);
      standard.push({
        teacherId,
        fullName,
        levels: seg.levels,
        mode: seg.mode,
        meets: verdict.meets,
        failures: verdict.failures,
      });
    }
    const topicsDone = new Set<Topic>();
    for (const c of facts.completions) {
      attended.add(c.programmeId);
      if (c.completedOn < plan.countFrom || !completionHeld(c, asOf)) continue;
      for (const t of log.topics.get(c.programmeId) ?? []) {
        completions.set(t, (completions.get(t) ?? 0) + 1);
        if (kind === 'permanent') topicsDone.add(t);
      }
    }
    for (const t of topicsDone) trainedTeachers.set(t, (trainedTeachers.get(t) ?? 0) + 1);
    for (const e of facts.enrolments) if (e.enrolledOn <= asOf) attended.add(e.programmeId);
    for (const p of postgraduateInProgress(unretracted(events), asOf))
      postgraduate.push({ teacherId, fullName, ...p });
  }

  const funding = new Map<
    string,
    { amountVnd: number; fundings: number; programmes: Set<string> }
  >();
  for (const e of log.funding) {
    if (e.type !== 'TrainingFunded') continue;
    const { fundedOn, programmeId, source, amountVnd } = e.data;
    if (fundedOn < plan.countFrom || fundedOn > asOf || !attended.has(programmeId)) continue;
    const f = funding.get(source) ?? { amountVnd: 0, fundings: 0, programmes: new Set<string>() };
    f.amountVnd += amountVnd;
    f.fundings += 1;
    f.programmes.add(programmeId);
    funding.set(source, f);
  }

  const trainings: TrainingLine[] = TOPICS.map((topic) => ({
    topic,
    teachers: trainedTeachers.get(topic) ?? 0,
    completions: completions.get(topic) ?? 0,
  }));
  const fundingLines: FundingLine[] = [...funding]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([source, f]) => ({
      source,
      amountVnd: f.amountVnd,
      fundings: f.fundings,
      programmes: [...f.programmes].sort(),
    }));
  const knownPosition = knownAt ?? head;
  return {
    plan: { code: plan.code, titleVi: plan.title.vi, titleEn: plan.title.en },
    unit,
    year,
    asOf,
    dueOn: reportDueOn(plan, year),
    knownAt: knownPosition === null ? null : knownPosition.toString(),
    generatedAt: input.generatedAt,
    checkpoint: input.checkpoint ?? null,
    countFrom: plan.countFrom,
    indicators,
    byDegree: (['none', ...DEGREE_LEVELS] as const).map((degree) => ({
      degree,
      ...total(byDegree.get(degree) ?? split()),
    })),
    byEmployment: employment,
    byLevelTaught: TEACHING_LEVELS.map((level) => ({
      level,
      ...total(byLevel.get(level) ?? split()),
    })),
    standard: standard.sort((a, b) => ((a.teacherId ?? '') < (b.teacherId ?? '') ? -1 : 1)),
    trainings,
    postgraduate: postgraduate.sort((a, b) => ((a.teacherId ?? '') < (b.teacherId ?? '') ? -1 : 1)),
    funding: fundingLines,
  };
};
