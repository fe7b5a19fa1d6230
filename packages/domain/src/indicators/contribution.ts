import { match } from 'ts-pattern';
import { degreeRank, type Topic } from '../events/vocabulary.js';
import { type EmploymentSegment, employmentSegments } from '../facts/employment.js';
import { type HeldStep, heldTimeline } from '../facts/held.js';
import type { TeacherFacts } from '../facts/types.js';
import { meetsWith } from '../standards/meets.js';
import { qualificationStandard } from '../standards/table.js';
import type { IndicatorDefinition } from './rule.js';
import { type Contribution, StepBuilder } from './step.js';

/** The topics of a programme as corrected so far; undefined for an unknown programme. */
export type TopicsLookup = (programmeId: string) => readonly Topic[] | undefined;

/** Whether a teacher qualifies for a numerator, as a step function: on from `from`. */
interface Flip {
  from: string;
  on: boolean;
}

const MASTER_RANK = degreeRank('master');

/** Union of `[from, to)` intervals as on/off flips, sorted. */
const unionFlips = (intervals: { from: string; to: string | undefined }[]): Flip[] => {
  if (intervals.length === 0) return [];
  intervals.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const flips: Flip[] = [];
  let start = intervals[0]!.from;
  let end = intervals[0]!.to;
  for (let i = 1; i < intervals.length; i++) {
    const iv = intervals[i]!;
    if (end === undefined || iv.from <= end) {
      if (end !== undefined && (iv.to === undefined || iv.to > end)) end = iv.to;
      continue;
    }
    flips.push({ from: start, on: true }, { from: end, on: false });
    start = iv.from;
    end = iv.to;
  }
  flips.push({ from: start, on: true });
  if (end !== undefined) flips.push({ from: end, on: false });
  return flips;
};

const masterFlips = (held: readonly HeldStep[]): Flip[] => {
  const flips: Flip[] = [];
  let on = false;
  for (const step of held) {
    const now = step.held.degreeRank >= MASTER_RANK;
    if (now !== on) flips.push({ from: step.from, on: now });
    on = now;
  }
  return flips;
};

const trainedFlips = (
  facts: TeacherFacts,
  topic: Topic,
  countFrom: string,
  topicsOf: TopicsLookup,
): Flip[] => {
  const intervals: { from: string; to: string | undefined }[] = [];
  for (const c of facts.completions) {
    // countFrom ≤ completedOn; a completion dated before the hire counts once employed (reading 6).
    if (c.completedOn < countFrom) continue;
    if (c.revokedOn !== undefined && c.revokedOn <= c.completedOn) continue;
    if (!(topicsOf(c.programmeId)?.includes(topic) ?? false)) continue;
    intervals.push({ from: c.completedOn, to: c.revokedOn });
  }
  return unionFlips(intervals);
};

/** Emits one segment's points: denominator 1 over the segment, numerator per the flips. */
const emitSegment = (
  out: StepBuilder,
  code: string,
  seg: EmploymentSegment,
  flips: readonly Flip[],
): void => {
  let on = false;
  let i = 0;
  for (; i < flips.length && flips[i]!.from <= seg.from; i++) on = flips[i]!.on;
  out.push(code, seg.unitId, seg.from, on ? 1 : 0, 1);
  for (; i < flips.length; i++) {
    const f = flips[i]!;
    if (seg.to !== undefined && f.from >= seg.to) break;
    out.push(code, seg.unitId, f.from, f.on ? 1 : 0, 1);
  }
  if (seg.to !== undefined) out.push(code, seg.unitId, seg.to, 0, 0);
};

/** Flips of "meets the standard" within one segment, judged on the segment's assignment. */
const standardFlips = (
  seg: EmploymentSegment,
  held: readonly HeldStep[],
  standardVersion: string,
): Flip[] => {
  const standard = qualificationStandard(standardVersion);
  const flips: Flip[] = [];
  let i = 0;
  let current: HeldStep | undefined;
  for (; i < held.length && held[i]!.from <= seg.from; i++) current = held[i];
  let on = current !== undefined && meetsWith(current.held, seg.levels, seg.mode, standard);
  if (on) flips.push({ from: seg.from, on });
  for (; i < held.length; i++) {
    const step = held[i]!;
    if (seg.to !== undefined && step.from >= seg.to) break;
    const now = meetsWith(step.held, seg.levels, seg.mode, standard);
    if (now !== on) flips.push({ from: step.from, on: now });
    on = now;
  }
  return flips;
};

/**
 * A teacher's contribution to each indicator (design.md §4) as step functions of
 * date, per unit the teacher works at as recorded. Pure; no clock.
 *
 * The population is every permanent employment (visiting teachers are not
 * counted), whatever the unit's kind. For a `meets-standard` rule this means the
 * denominator is written for every permanent teacher: the read model keeps only
 * units whose kind on D (after merges) is the rule's `unitKind`, at query time,
 * because a unit's kind and merges are reference data with their own history
 * (design.md §5) that the ledger must not bake in.
 */
export const computeContribution = (
  facts: TeacherFacts,
  indicators: readonly IndicatorDefinition[],
  topicsOf: TopicsLookup,
): Contribution => {
  const segments = employmentSegments(facts).filter((s) => s.employment === 'permanent');
  if (segments.length === 0) return [];
  const out = new StepBuilder();
  let held: HeldStep[] | undefined;
  const heldSteps = (): HeldStep[] => (held ??= heldTimeline(facts));
  for (const { code, rule } of indicators) {
    match(rule)
      .with({ kind: 'master-or-above' }, () => {
        const flips = masterFlips(heldSteps());
        for (const seg of segments) emitSegment(out, code, seg, flips);
      })
      .with({ kind: 'trained' }, (r) => {
        const flips = trainedFlips(facts, r.topic, r.countFrom, topicsOf);
        for (const seg of segments) emitSegment(out, code, seg, flips);
      })
      .with({ kind: 'meets-standard' }, (r) => {
        for (const seg of segments)
          emitSegment(out, code, seg, standardFlips(seg, heldSteps(), r.standardVersion));
      })
      .exhaustive();
  }
  return out.build();
};
