import { DEGREE_LEVELS, type DegreeLevel, type TeachingLevel } from '@nhagiao/domain';

/** What the qualification standard looks at, for one teacher on one date. */
export interface HeldOnDate {
  /** Rank (index in DEGREE_LEVELS) of the highest degree held; -1 when none. */
  readonly highestDegree: number;
  readonly pedagogicalDegree: boolean;
  /** Highest national-skill level held; 0 when none. */
  readonly nationalSkill: number;
  readonly practiceLicence: boolean;
  readonly honoraryTitle: boolean;
  readonly pedagogyVet: boolean;
  readonly pedagogyElementary: boolean;
}

const atLeast = (held: HeldOnDate, level: DegreeLevel): boolean =>
  held.highestDegree >= DEGREE_LEVELS.indexOf(level);

interface Cell {
  readonly theory: (h: HeldOnDate) => boolean;
  readonly practice: (h: HeldOnDate) => boolean;
  readonly pedagogy: (h: HeldOnDate) => boolean;
}

/**
 * Standard 05/2024 (docs/indicators.md § Qualification standard 05/2024, literal: reading 9), written out cell by
 * cell from the table rather than from any code of the product.
 */
export const STANDARD_05_2024: Readonly<Record<TeachingLevel, Cell>> = {
  college: {
    theory: (h) => atLeast(h, 'bachelor'),
    practice: (h) =>
      h.nationalSkill >= 3 || h.practiceLicence || h.honoraryTitle || atLeast(h, 'college'),
    pedagogy: (h) => h.pedagogicalDegree || h.pedagogyVet,
  },
  intermediate: {
    theory: (h) => atLeast(h, 'bachelor'),
    practice: (h) =>
      h.nationalSkill >= 2 || h.practiceLicence || h.honoraryTitle || atLeast(h, 'college'),
    pedagogy: (h) => h.pedagogicalDegree || h.pedagogyVet,
  },
  elementary: {
    theory: (h) => atLeast(h, 'intermediate'),
    practice: (h) => h.nationalSkill >= 1 || atLeast(h, 'intermediate'),
    pedagogy: (h) => h.pedagogicalDegree || h.pedagogyVet || h.pedagogyElementary,
  },
};

/** Meets the standard when, for every level taught, all that the mode requires holds. */
export const meetsStandard = (
  held: HeldOnDate,
  levels: readonly TeachingLevel[],
  mode: 'theory' | 'practice' | 'integrated',
): boolean =>
  levels.every((level) => {
    const cell = STANDARD_05_2024[level];
    const theoryOk = mode === 'practice' || cell.theory(held);
    const practiceOk = mode === 'theory' || cell.practice(held);
    return theoryOk && practiceOk && cell.pedagogy(held);
  });
