import { match } from 'ts-pattern';
import { degreeRank, type Topic } from '../events/vocabulary.js';
import { type EmploymentSegment, employmentSegments } from '../facts/employment.js';
import { type HeldStep, heldTimeline } from '../facts/held.js';
import type { TeacherFacts } from '../facts/types.js';
import { meetsAll, requirementsOf } from '../standards/meets.js';
import { type QualificationStandard, qualificationStandard } from '../standards/table.js';
import type { IndicatorDefinition } from './rule.js';
import { type Contribution, type StepFunction, StepBuilder, compareText } from './step.js';

/** The topics of a programme as corrected so far; undefined for an unknown programme. */
export type TopicsLookup = (programmeId: string) => readonly Topic[] | undefined;

/**
 * Whether a teacher qualifies for a numerator, as a step function: on (or off) from
 * `from[k]` for k < n, sorted. Each compiled indicator refills one of these per
 * compute, after every call out (`held`, `topicsOf`), and reads it straight away,
 * so the flips cost no allocation per event.
 */
class Flips {
  readonly from: string[] = [];
  readonly on: boolean[] = [];
  n = 0;

  clear(): this {
    this.n = 0;
    return this;
  }

  add(from: string, on: boolean): void {
    this.from[this.n] = from;
    this.on[this.n] = on;
    this.n++;
  }
}

const MASTER_RANK = degreeRank('master');

interface Interval {
  from: string;
  to: string | undefined;
}

/**
 * Adds an interval after every one that starts on or before it: the order a stable
 * sort by `from` gives. A teacher has a few completions on a topic, and this runs
 * per event, so it beats `sort()`, which allocates its merge state on every call.
 */
const insertByFrom = (intervals: Interval[], iv: Interval): void => {
  let i = intervals.length;
  while (i > 0 && intervals[i - 1]!.from > iv.from) i--;
  intervals.push(iv);
  for (let j = intervals.length - 1; j > i; j--) intervals[j] = intervals[j - 1]!;
  intervals[i] = iv;
};

/** Union of `[from, to)` intervals, sorted by `from`, as on/off flips, sorted. */
const unionFlips = (intervals: readonly Interval[], flips: Flips): void => {
  if (intervals.length === 0) return;
  let start = intervals[0]!.from;
  let end = intervals[0]!.to;
  for (let i = 1; i < intervals.length; i++) {
    const iv = intervals[i]!;
    if (end === undefined || iv.from <= end) {
      if (end !== undefined && (iv.to === undefined || iv.to > end)) end = iv.to;
      continue;
    }
    flips.add(start, true);
    flips.add(end, false);
    start = iv.from;
    end = iv.to;
  }
  flips.add(start, true);
  if (end !== undefined) flips.add(end, false);
};

const masterFlips = (held: readonly HeldStep[], flips: Flips): void => {
  let on = false;
  for (const step of held) {
    const now = step.held.degreeRank >= MASTER_RANK;
    if (now !== on) flips.add(step.from, now);
    on = now;
  }
};

/** The intervals in which completions on `topic` count, sorted by `from`. */
const trainedIntervals = (
  facts: TeacherFacts,
  topic: Topic,
  countFrom: string,
  topicsOf: TopicsLookup,
): Interval[] => {
  const intervals: Interval[] = [];
  for (const c of facts.completions) {
    // countFrom ≤ completedOn; a completion dated before the hire counts once employed (reading 6).
    if (c.completedOn < countFrom) continue;
    if (c.revokedOn !== undefined && c.revokedOn <= c.completedOn) continue;
    if (!(topicsOf(c.programmeId)?.includes(topic) ?? false)) continue;
    insertByFrom(intervals, { from: c.completedOn, to: c.revokedOn });
  }
  return intervals;
};

/** Emits one segment's points: denominator 1 over the segment, numerator per the flips. */
const emitSegment = (out: StepBuilder, seg: EmploymentSegment, flips: Flips): void => {
  const { from, on: flipOn, n } = flips;
  let on = false;
  let i = 0;
  for (; i < n && from[i]! <= seg.from; i++) on = flipOn[i]!;
  out.push(seg.unitId, seg.from, on ? 1 : 0, 1);
  for (; i < n; i++) {
    if (seg.to !== undefined && from[i]! >= seg.to) break;
    out.push(seg.unitId, from[i]!, flipOn[i]! ? 1 : 0, 1);
  }
  if (seg.to !== undefined) out.push(seg.unitId, seg.to, 0, 0);
};

/** Flips of "meets the standard" within one segment, judged on the segment's assignment. */
const standardFlips = (
  seg: EmploymentSegment,
  held: readonly HeldStep[],
  standard: QualificationStandard,
  flips: Flips,
): void => {
  const requirements = requirementsOf(standard, seg.levels, seg.mode);
  let i = 0;
  let current: HeldStep | undefined;
  for (; i < held.length && held[i]!.from <= seg.from; i++) current = held[i];
  let on = current !== undefined && meetsAll(current.held, requirements);
  if (on) flips.add(seg.from, on);
  for (; i < held.length; i++) {
    const step = held[i]!;
    if (seg.to !== undefined && step.from >= seg.to) break;
    const now = meetsAll(step.held, requirements);
    if (now !== on) flips.add(step.from, now);
    on = now;
  }
};

/**
 * What an indicator's contribution is computed from; `held` is computed once, on
 * demand. Indicators call it as `input.held()`, so it may be a method.
 */
export interface ContributionInput {
  readonly facts: TeacherFacts;
  /** Permanent employment segments only: visiting teachers are not counted. */
  readonly segments: readonly EmploymentSegment[];
  readonly held: () => readonly HeldStep[];
  readonly topicsOf: TopicsLookup;
}

/**
 * One indicator made ready to compute: which facts it reads (so the projection
 * recomputes only the indicators an event can move) and how.
 */
export interface CompiledIndicator {
  readonly code: string;
  /** `held`: degrees and certificates; `completions`: completions of programmes on `topic`. */
  readonly reads: 'held' | 'completions';
  readonly topic?: Topic;
  /** This indicator's step functions, sorted by unitId. */
  compute(input: ContributionInput): StepFunction[];
}

/**
 * Compiles the rules once (sorted by code, the ledger's row order). Each indicator
 * reuses one `StepBuilder` and one `Flips` (reset per compute, so their buffers are
 * not allocated per event). Everything that calls out (`held`, `topicsOf`) runs
 * before either is touched, so a lookup that computes a contribution itself cannot
 * disturb them.
 */
export const compileIndicators = (
  indicators: readonly IndicatorDefinition[],
): CompiledIndicator[] =>
  [...indicators]
    .sort((a, b) => compareText(a.code, b.code))
    .map(({ code, rule }) => {
      const out = new StepBuilder(code);
      const flips = new Flips();
      return match(rule)
        .with({ kind: 'master-or-above' }, (): CompiledIndicator => ({
          code,
          reads: 'held',
          compute: (input) => {
            if (input.segments.length === 0) return [];
            masterFlips(input.held(), flips.clear());
            out.reset();
            for (const seg of input.segments) emitSegment(out, seg, flips);
            return out.build();
          },
        }))
        .with({ kind: 'trained' }, (r): CompiledIndicator => ({
          code,
          reads: 'completions',
          topic: r.topic,
          compute: ({ facts, segments, topicsOf }) => {
            if (segments.length === 0) return [];
            const intervals = trainedIntervals(facts, r.topic, r.countFrom, topicsOf);
            unionFlips(intervals, flips.clear());
            out.reset();
            for (const seg of segments) emitSegment(out, seg, flips);
            return out.build();
          },
        }))
        .with({ kind: 'meets-standard' }, (r): CompiledIndicator => {
          const standard = qualificationStandard(r.standardVersion);
          return {
            code,
            reads: 'held',
            compute: (input) => {
              if (input.segments.length === 0) return [];
              const held = input.held();
              out.reset();
              for (const seg of input.segments) {
                standardFlips(seg, held, standard, flips.clear());
                emitSegment(out, seg, flips);
              }
              return out.build();
            },
          };
        })
        .exhaustive();
    });

const isPermanent = (s: EmploymentSegment): boolean => s.employment === 'permanent';

export const permanentSegments = (facts: TeacherFacts): EmploymentSegment[] =>
  employmentSegments(facts).filter(isPermanent);

export const contributionInput = (
  facts: TeacherFacts,
  segments: readonly EmploymentSegment[],
  topicsOf: TopicsLookup,
): ContributionInput => {
  let held: HeldStep[] | undefined;
  return { facts, segments, topicsOf, held: () => (held ??= heldTimeline(facts)) };
};

/**
 * A teacher's contribution to each indicator (docs/indicators.md § Indicators) as step functions of
 * date, per unit the teacher works at as recorded. Pure; no clock.
 *
 * The population is every permanent employment (visiting teachers are not
 * counted), whatever the unit's kind. For a `meets-standard` rule this means the
 * denominator is written for every permanent teacher: the read model keeps only
 * units whose kind on D (after merges) is the rule's `unitKind`, at query time,
 * because a unit's kind and merges are reference data with their own history
 * (docs/indicators.md § The delta ledger) that the ledger must not bake in.
 */
export const computeContribution = (
  facts: TeacherFacts,
  indicators: readonly IndicatorDefinition[] | readonly CompiledIndicator[],
  topicsOf: TopicsLookup,
): Contribution => {
  const compiled =
    indicators.length > 0 && 'compute' in indicators[0]!
      ? (indicators as readonly CompiledIndicator[])
      : compileIndicators(indicators as readonly IndicatorDefinition[]);
  const segments = permanentSegments(facts);
  if (segments.length === 0) return [];
  const input = contributionInput(facts, segments, topicsOf);
  return compiled.flatMap((c) => c.compute(input));
};
