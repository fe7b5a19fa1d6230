import {
  CERTIFICATE_KINDS,
  type CertificateKind,
  type DegreeLevel,
  DEGREE_LEVELS,
  degreeRank,
} from '../events/vocabulary.js';
import type { CertificateFact, CompletionFact, DegreeFact, TeacherFacts } from './types.js';

/** What a teacher holds on one date: all the qualification standard and degree indicators read. */
export interface HeldQualifications {
  /** Rank (index in DEGREE_LEVELS) of the highest degree held; -1 when none. */
  degreeRank: number;
  /** A degree with `pedagogical: true` at level college or above is held. */
  pedagogicalDegree: boolean;
  /** One bit per certificate kind (index in CERTIFICATE_KINDS) held. */
  certificateKinds: number;
  /** Highest national-skill level held; 0 when none. */
  nationalSkill: number;
}

const COLLEGE_RANK = degreeRank('college');

const NATIONAL_SKILL = 'national-skill';

const BITS = Object.fromEntries(CERTIFICATE_KINDS.map((k, i) => [k, 1 << i])) as Record<
  CertificateKind,
  number
>;
const RANKS = Object.fromEntries(DEGREE_LEVELS.map((l, i) => [l, i])) as Record<
  DegreeLevel,
  number
>;

export const certificateBit = (kind: CertificateKind): number => BITS[kind];

/** Reading 2: held from `awardedOn`, no longer from the revocation date on. */
export const degreeHeld = (d: DegreeFact, date: string): boolean =>
  d.awardedOn <= date && (d.revokedOn === undefined || date < d.revokedOn);

/** §4: held when issuedOn ≤ D, not revoked on or before D and not expiresOn ≤ D. */
export const certificateHeld = (c: CertificateFact, date: string): boolean =>
  c.issuedOn <= date &&
  (c.revokedOn === undefined || date < c.revokedOn) &&
  (c.expiresOn === undefined || date < c.expiresOn);

/** A completion counts on D when completedOn ≤ D and it is not revoked on or before D. */
export const completionHeld = (c: CompletionFact, date: string): boolean =>
  c.completedOn <= date && (c.revokedOn === undefined || date < c.revokedOn);

export const heldOn = (facts: TeacherFacts, date: string): HeldQualifications => {
  const held: HeldQualifications = {
    degreeRank: -1,
    pedagogicalDegree: false,
    certificateKinds: 0,
    nationalSkill: 0,
  };
  for (const d of facts.degrees) {
    if (!degreeHeld(d, date)) continue;
    const rank = RANKS[d.level];
    if (rank > held.degreeRank) held.degreeRank = rank;
    if (d.pedagogical && rank >= COLLEGE_RANK) held.pedagogicalDegree = true;
  }
  for (const c of facts.certificates) {
    if (!certificateHeld(c, date)) continue;
    held.certificateKinds |= certificateBit(c.kind);
    if (c.kind === NATIONAL_SKILL && c.level !== undefined && c.level > held.nationalSkill)
      held.nationalSkill = c.level;
  }
  return held;
};

export const highestDegree = (held: HeldQualifications): DegreeLevel | undefined =>
  DEGREE_LEVELS[held.degreeRank];

/** A date on which what a teacher holds may change, and what they hold from it on. */
export interface HeldStep {
  from: string;
  held: HeldQualifications;
}

/**
 * Adds `date` to the sorted, duplicate-free `dates` unless it is there. A teacher
 * has a handful of such dates, and this runs on every degree or certificate event
 * the ledger projects, so inserting in place beats pushing all and `sort()` (which
 * allocates its merge state on every call).
 */
const insertDate = (dates: string[], date: string): void => {
  let i = dates.length;
  while (i > 0 && dates[i - 1]! > date) i--;
  if (i > 0 && dates[i - 1] === date) return;
  dates.push(date);
  for (let j = dates.length - 1; j > i; j--) dates[j] = dates[j - 1]!;
  dates[i] = date;
};

/**
 * What the teacher holds as a step function of date: one step per date on which
 * a degree or certificate starts or stops being held, sorted. Before the first
 * step nothing is held.
 */
export const heldTimeline = (facts: TeacherFacts): HeldStep[] => {
  const dates: string[] = [];
  for (const d of facts.degrees) {
    insertDate(dates, d.awardedOn);
    if (d.revokedOn !== undefined) insertDate(dates, d.revokedOn);
  }
  for (const c of facts.certificates) {
    insertDate(dates, c.issuedOn);
    if (c.revokedOn !== undefined) insertDate(dates, c.revokedOn);
    if (c.expiresOn !== undefined) insertDate(dates, c.expiresOn);
  }
  const out: HeldStep[] = [];
  for (const date of dates) out.push({ from: date, held: heldOn(facts, date) });
  return out;
};
