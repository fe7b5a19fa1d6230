import { match } from 'ts-pattern';
import { degreeRank } from '../events/vocabulary.js';
import { employmentSegments, segmentOn } from '../facts/employment.js';
import { certificateHeld, completionHeld, degreeHeld } from '../facts/held.js';
import type { TeacherFacts } from '../facts/types.js';
import {
  certificateKindLabels,
  degreeLevelLabels,
  requirementLabels,
  teachingLevelLabels,
  teachingModeLabels,
} from '../plans/labels.js';
import { meetsStandard } from '../standards/meets.js';
import type { TopicsLookup } from './contribution.js';
import type { IndicatorDefinition } from './rule.js';

export interface TeacherExplanation {
  /** Permanent and employed on the date. */
  readonly inPopulation: boolean;
  /** The unit worked at on the date, as recorded; undefined when not employed. */
  readonly unitId: string | undefined;
  /** In the numerator on the date. */
  readonly counted: boolean;
  /** Why, one fact a line, Vietnamese then English. */
  readonly reasons: readonly string[];
  /** The events that decide it, in the order of `reasons`. */
  readonly eventIds: readonly string[];
}

const MASTER_RANK = degreeRank('master');

/**
 * Why a teacher does or does not count for one indicator on `date`: the facts
 * and the ids of the events that decide it (for `nhagiao explain`). The unit's
 * kind and merges are not judged here (see `computeContribution`).
 */
export const explainTeacher = (
  facts: TeacherFacts,
  date: string,
  indicator: IndicatorDefinition,
  topicsOf: TopicsLookup = () => undefined,
): TeacherExplanation => {
  const reasons: string[] = [];
  const eventIds: string[] = [];
  const say = (text: string, eventId?: string): void => {
    reasons.push(text);
    if (eventId !== undefined && !eventIds.includes(eventId)) eventIds.push(eventId);
  };
  const segments = employmentSegments(facts);
  const seg = segmentOn(segments, date);
  if (seg === undefined) {
    const last = facts.employments.findLast((e) => e.hiredOn <= date);
    say(
      `không công tác ngày ${date} / not employed on ${date}`,
      last?.leftEventId ?? last?.eventId,
    );
    return { inPopulation: false, unitId: undefined, counted: false, reasons, eventIds };
  }
  // At this unit since the hire or transfer that put them there, not since a later assignment change.
  const since =
    segments.find((s) => s.hireEventId === seg.hireEventId && s.unitEventId === seg.unitEventId)
      ?.from ?? seg.from;
  say(
    `${seg.employment === 'permanent' ? 'cơ hữu' : 'thỉnh giảng'} tại ${seg.unitId} từ ${since} / ${seg.employment} at ${seg.unitId} since ${since}`,
    seg.hireEventId,
  );
  if (seg.unitEventId !== seg.hireEventId)
    say(`điều chuyển đến ${seg.unitId} / transferred to ${seg.unitId}`, seg.unitEventId);
  if (seg.employment !== 'permanent') {
    say('nhà giáo thỉnh giảng không được tính / visiting teachers are not counted');
    return { inPopulation: false, unitId: seg.unitId, counted: false, reasons, eventIds };
  }
  const counted = match(indicator.rule)
    .with({ kind: 'master-or-above' }, () => {
      let yes = false;
      for (const d of facts.degrees) {
        if (degreeRank(d.level) < MASTER_RANK) continue;
        if (degreeHeld(d, date)) {
          yes = true;
          say(
            `có bằng ${d.level} ${d.degreeId} từ ${d.awardedOn} / holds ${d.level} ${d.degreeId} since ${d.awardedOn}`,
            d.eventId,
          );
        } else if (d.awardedOn <= date && d.revokedOn !== undefined) {
          say(
            `bằng ${d.degreeId} bị thu hồi từ ${d.revokedOn} / ${d.degreeId} revoked from ${d.revokedOn}`,
            d.revokeEventId,
          );
        } else {
          say(
            `bằng ${d.degreeId} cấp ngày ${d.awardedOn}, sau ${date} / ${d.degreeId} awarded ${d.awardedOn}, after ${date}`,
            d.eventId,
          );
        }
      }
      if (!yes)
        say(`không có bằng thạc sĩ trở lên ngày ${date} / no master or doctorate held on ${date}`);
      return yes;
    })
    .with({ kind: 'trained' }, ({ topic, countFrom }) => {
      let yes = false;
      for (const c of facts.completions) {
        const topics = topicsOf(c.programmeId);
        if (!(topics?.includes(topic) ?? false)) continue;
        if (c.completedOn < countFrom) {
          say(
            `hoàn thành ${c.programmeId} ngày ${c.completedOn}, trước ${countFrom} / completed ${c.programmeId} on ${c.completedOn}, before ${countFrom}`,
            c.eventId,
          );
        } else if (completionHeld(c, date)) {
          yes = true;
          say(
            `hoàn thành ${c.programmeId} ngày ${c.completedOn} / completed ${c.programmeId} on ${c.completedOn}`,
            c.eventId,
          );
        } else if (c.revokedOn !== undefined && c.revokedOn <= date) {
          say(
            `kết quả ${c.programmeId} bị thu hồi từ ${c.revokedOn} / completion of ${c.programmeId} revoked from ${c.revokedOn}`,
            c.revokeEventId,
          );
        } else {
          say(
            `hoàn thành ${c.programmeId} ngày ${c.completedOn}, sau ${date} / completed ${c.programmeId} on ${c.completedOn}, after ${date}`,
            c.eventId,
          );
        }
      }
      if (!yes)
        say(`chưa được bồi dưỡng ${topic} ngày ${date} / not trained in ${topic} on ${date}`);
      return yes;
    })
    .with({ kind: 'meets-standard' }, ({ standardVersion }) => {
      const verdict = meetsStandard(facts, date, standardVersion);
      const levels = (lang: 'vi' | 'en') =>
        seg.levels.map((l) => teachingLevelLabels[l][lang].toLowerCase()).join(', ');
      say(
        `dạy ${levels('vi')} (${teachingModeLabels[seg.mode].vi.toLowerCase()}) / teaches ${levels('en')} (${seg.mode})`,
        seg.assignmentEventId,
      );
      for (const d of facts.degrees)
        if (degreeHeld(d, date))
          say(
            `có bằng ${degreeLevelLabels[d.level].vi.toLowerCase()}${d.pedagogical ? ' sư phạm' : ''} / holds a ${d.pedagogical ? 'pedagogical ' : ''}${degreeLevelLabels[d.level].en} degree`,
            d.eventId,
          );
      for (const c of facts.certificates)
        if (certificateHeld(c, date))
          say(
            `có chứng chỉ ${certificateKindLabels[c.kind].vi.toLowerCase()}${c.level !== undefined ? ` bậc ${c.level}` : ''} / holds ${certificateKindLabels[c.kind].en}${c.level !== undefined ? ` level ${c.level}` : ''}`,
            c.eventId,
          );
      for (const f of verdict.failures) {
        // `needed` is itself "vi / en".
        const [neededVi, neededEn = neededVi] = f.needed.split(' / ');
        say(
          `chưa đạt yêu cầu ${requirementLabels[f.requirement].vi} ${teachingLevelLabels[f.level].vi.toLowerCase()}: cần ${neededVi} / ${f.level} ${requirementLabels[f.requirement].en} not met: needs ${neededEn}`,
        );
      }
      if (verdict.meets) say(`đạt chuẩn ${standardVersion} / meets standard ${standardVersion}`);
      return verdict.meets;
    })
    .exhaustive();
  return { inPopulation: true, unitId: seg.unitId, counted, reasons, eventIds };
};
