import type { TeachingLevel, TeachingMode } from '../events/vocabulary.js';
import { degreeRank } from '../events/vocabulary.js';
import { employmentSegments, segmentOn } from '../facts/employment.js';
import { type HeldQualifications, certificateBit, heldOn } from '../facts/held.js';
import type { TeacherFacts } from '../facts/types.js';
import {
  type Qualification,
  type QualificationStandard,
  type StandardRequirement,
  qualificationStandard,
} from './table.js';

export interface StandardFailure {
  readonly level: TeachingLevel;
  readonly requirement: StandardRequirement;
  /** What would meet it, Vietnamese then English. */
  readonly needed: string;
}

export interface StandardVerdict {
  readonly meets: boolean;
  readonly failures: readonly StandardFailure[];
  /** The assignment judged; undefined when the teacher is not employed on the date. */
  readonly assignment?: { readonly levels: readonly TeachingLevel[]; readonly mode: TeachingMode };
}

export type QualificationTest = (held: HeldQualifications) => boolean;

const compileQualification = (q: Qualification): QualificationTest => {
  switch (q.kind) {
    case 'degree-at-least': {
      const rank = degreeRank(q.level);
      return (held) => held.degreeRank >= rank;
    }
    case 'pedagogical-degree':
      return (held) => held.pedagogicalDegree;
    case 'certificate': {
      const { minLevel } = q;
      if (minLevel !== undefined && q.certificate === 'national-skill')
        return (held) => held.nationalSkill >= minLevel;
      const bit = certificateBit(q.certificate);
      return (held) => (held.certificateKinds & bit) !== 0;
    }
  }
};

const satisfies = (held: HeldQualifications, q: Qualification): boolean =>
  compileQualification(q)(held);

/**
 * The compiled requirements of the assignments seen so far, as a tree with one
 * level per taught level, in order: walked with the strings at hand, where a key
 * joined from levels and mode was a new string to build and hash per lookup (the
 * ledger asks once per employment segment on every degree or certificate event).
 */
interface AssignmentNode {
  readonly next: Map<TeachingLevel, AssignmentNode>;
  readonly byMode: Map<TeachingMode, QualificationTest[][]>;
}

const newNode = (): AssignmentNode => ({ next: new Map(), byMode: new Map() });

/** The requirements of one assignment (by standard, levels and mode), each a list of alternatives, compiled once. */
const compiledAssignments = new WeakMap<QualificationStandard, AssignmentNode>();

export const requirementsOf = (
  standard: QualificationStandard,
  levels: readonly TeachingLevel[],
  mode: TeachingMode,
): QualificationTest[][] => {
  let node: AssignmentNode | undefined = compiledAssignments.get(standard);
  if (node === undefined) compiledAssignments.set(standard, (node = newNode()));
  for (const level of levels) {
    let child: AssignmentNode | undefined = node.next.get(level);
    if (child === undefined) node.next.set(level, (child = newNode()));
    node = child;
  }
  let tests = node.byMode.get(mode);
  if (tests === undefined) {
    tests = [];
    for (const level of levels)
      for (const rule of standard.rules)
        if (rule.level === level && rule.modes.includes(mode))
          tests.push(rule.anyOf.map(compileQualification));
    node.byMode.set(mode, tests);
  }
  return tests;
};

/**
 * The requirements not met by what is held, for every level taught in that mode
 * (reading 5). Empty = meets the standard.
 */
export const standardFailures = (
  held: HeldQualifications,
  levels: readonly TeachingLevel[],
  mode: TeachingMode,
  standard: QualificationStandard,
): StandardFailure[] => {
  const failures: StandardFailure[] = [];
  for (const level of levels) {
    for (const rule of standard.rules) {
      if (rule.level !== level || !rule.modes.includes(mode)) continue;
      if (!rule.anyOf.some((q) => satisfies(held, q)))
        failures.push({ level, requirement: rule.requirement, needed: rule.needed });
    }
  }
  return failures;
};

/** True when what is held meets every requirement of every level taught in that mode. */
export const meetsWith = (
  held: HeldQualifications,
  levels: readonly TeachingLevel[],
  mode: TeachingMode,
  standard: QualificationStandard,
): boolean => meetsAll(held, requirementsOf(standard, levels, mode));

/** True when what is held meets every one of the compiled requirements. */
export const meetsAll = (
  held: HeldQualifications,
  requirements: readonly QualificationTest[][],
): boolean => {
  for (const anyOf of requirements) {
    let met = false;
    for (const test of anyOf)
      if (test(held)) {
        met = true;
        break;
      }
    if (!met) return false;
  }
  return true;
};

/**
 * Whether the teacher meets qualification standard `version` on `date`, judged on
 * the levels and mode of their assignment on that date. A teacher not employed on
 * the date teaches nothing and is reported as not meeting it, with no failures.
 */
export const meetsStandard = (
  facts: TeacherFacts,
  date: string,
  version: string,
): StandardVerdict => {
  const standard = qualificationStandard(version);
  const seg = segmentOn(employmentSegments(facts), date);
  if (seg === undefined) return { meets: false, failures: [] };
  const failures = standardFailures(heldOn(facts, date), seg.levels, seg.mode, standard);
  return {
    meets: failures.length === 0,
    failures,
    assignment: { levels: seg.levels, mode: seg.mode },
  };
};
