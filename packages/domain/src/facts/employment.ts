import type { Employment, TeachingLevel, TeachingMode } from '../events/vocabulary.js';
import type { EmploymentFact, TeacherFacts } from './types.js';

/**
 * A stretch of days `[from, to)` during which a teacher works at one unit (as
 * recorded, before merges) with one employment kind and one assignment.
 * `to` undefined = still so.
 */
export interface EmploymentSegment {
  from: string;
  to: string | undefined;
  unitId: string;
  employment: Employment;
  levels: readonly TeachingLevel[];
  mode: TeachingMode;
  /** The events that decide this segment: the hire, and the transfer/assignment in force. */
  hireEventId: string;
  unitEventId: string;
  assignmentEventId: string;
}

interface Change {
  on: string;
  unitId?: string;
  levels?: readonly TeachingLevel[];
  mode?: TeachingMode;
  eventId: string;
}

const endOf = (e: EmploymentFact, next: EmploymentFact | undefined): string | undefined => {
  // A later hire supersedes an earlier employment from its own date; for valid
  // streams (no hire while employed) this only matters after a retracted leave.
  const nextOn = next?.hiredOn;
  if (e.leftOn === undefined) return nextOn;
  if (nextOn === undefined) return e.leftOn;
  return nextOn < e.leftOn ? nextOn : e.leftOn;
};

const byDate = (a: Change, b: Change): number => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0);

/**
 * The teacher's employment as a sorted list of disjoint segments. An employment is
 * active on D when `hiredOn ≤ D < leftOn`; its unit on D is the latest transfer
 * effective on or before D, its assignment the latest assignment change (or the
 * hire) effective on or before D (reading 7: of that employment only).
 */
export const employmentSegments = (facts: TeacherFacts): EmploymentSegment[] => {
  const out: EmploymentSegment[] = [];
  const emps = facts.employments;
  for (let i = 0; i < emps.length; i++) {
    const e = emps[i]!;
    const end = endOf(e, emps[i + 1]);
    if (end !== undefined && end <= e.hiredOn) continue;
    let seg: EmploymentSegment = {
      from: e.hiredOn,
      to: end,
      unitId: e.unitId,
      employment: e.employment,
      levels: e.levels,
      mode: e.mode,
      hireEventId: e.eventId,
      unitEventId: e.eventId,
      assignmentEventId: e.eventId,
    };
    if (e.transfers.length === 0 && e.assignments.length === 0) {
      out.push(seg);
      continue;
    }
    const changes: Change[] = [];
    for (const t of e.transfers)
      changes.push({ on: t.effectiveOn, unitId: t.toUnitId, eventId: t.eventId });
    for (const a of e.assignments)
      changes.push({ on: a.effectiveOn, levels: a.levels, mode: a.mode, eventId: a.eventId });
    // Stable: among changes on one day the later recorded wins.
    changes.sort(byDate);
    for (const c of changes) {
      if (end !== undefined && c.on >= end) break;
      if (c.on > seg.from) {
        seg.to = c.on;
        out.push(seg);
        seg = { ...seg, from: c.on, to: end };
      }
      if (c.unitId !== undefined) {
        seg.unitId = c.unitId;
        seg.unitEventId = c.eventId;
      }
      if (c.levels !== undefined && c.mode !== undefined) {
        seg.levels = c.levels;
        seg.mode = c.mode;
        seg.assignmentEventId = c.eventId;
      }
    }
    out.push(seg);
  }
  return out;
};

/** The segment in force on `date`, if the teacher is employed (of any kind) then. */
export const segmentOn = (
  segments: readonly EmploymentSegment[],
  date: string,
): EmploymentSegment | undefined => {
  for (const s of segments) {
    if (s.from <= date && (s.to === undefined || date < s.to)) return s;
  }
  return undefined;
};
