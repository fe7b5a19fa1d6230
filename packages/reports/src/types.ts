import type {
  DegreeLevel,
  Employment,
  StandardFailure,
  TeachingLevel,
  Topic,
  UnitKind,
} from '@nhagiao/domain';

export interface IndicatorLine {
  readonly indicator: string;
  readonly titleVi: string;
  readonly titleEn: string;
  readonly numerator: number;
  readonly denominator: number;
  readonly value: number | null;
  readonly target2025: number | null;
  readonly target2030: number | null;
}

/** A count split by employment: permanent teachers are the plan's population, visiting ones are reported beside them. */
export interface SplitCount {
  readonly permanent: number;
  readonly visiting: number;
  readonly total: number;
}

export interface StandardLine {
  /** null in a report without personal data (`withoutPersonalData`). */
  readonly teacherId: string | null;
  readonly fullName: string | null;
  readonly levels: readonly TeachingLevel[];
  readonly mode: string;
  readonly meets: boolean;
  readonly failures: readonly StandardFailure[];
}

export interface TrainingLine {
  readonly topic: Topic;
  /** Permanent teachers with at least one counted completion on the topic (the indicator's numerator rule). */
  readonly teachers: number;
  /** Counted completions on the topic by any teacher of the unit, visiting included. */
  readonly completions: number;
}

export interface PostgraduateLine {
  /** null in a report without personal data (`withoutPersonalData`). */
  readonly teacherId: string | null;
  readonly fullName: string | null;
  readonly level: 'master' | 'doctorate';
  readonly institution: string;
  readonly startedOn: string;
  readonly expectedOn: string | null;
}

export interface FundingLine {
  readonly source: string;
  readonly amountVnd: number;
  readonly fundings: number;
  readonly programmes: readonly string[];
}

export interface AnnualReport {
  readonly plan: { readonly code: string; readonly titleVi: string; readonly titleEn: string };
  readonly unit: {
    readonly unitId: string;
    readonly name: string;
    readonly kind: UnitKind;
    readonly area: string;
  };
  readonly year: number;
  readonly asOf: string;
  readonly dueOn: string;
  /** The last store position the report reflects. */
  readonly knownAt: string | null;
  readonly generatedAt: string;
  /** Signed checkpoint note the report was made against, when one was given. */
  readonly checkpoint: string | null;
  /** Completions and fundings are counted from this date to `asOf`. */
  readonly countFrom: string;
  readonly indicators: readonly IndicatorLine[];
  readonly byDegree: readonly ({ readonly degree: DegreeLevel | 'none' } & SplitCount)[];
  readonly byEmployment: Readonly<Record<Employment, number>>;
  readonly byLevelTaught: readonly ({ readonly level: TeachingLevel } & SplitCount)[];
  /** Per permanent teacher, for college-kind units only (empty otherwise). */
  readonly standard: readonly StandardLine[];
  readonly trainings: readonly TrainingLine[];
  readonly postgraduate: readonly PostgraduateLine[];
  readonly funding: readonly FundingLine[];
}
