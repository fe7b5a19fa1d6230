import type {
  CertificateKind,
  DegreeLevel,
  TeachingLevel,
  TeachingMode,
} from '../events/vocabulary.js';

export type StandardRequirement = 'theory' | 'practice' | 'pedagogy';

/** One way of meeting a requirement. */
export type Qualification =
  /** The highest degree held is at least this level (reading 8). */
  | { readonly kind: 'degree-at-least'; readonly level: DegreeLevel }
  /** A degree with `pedagogical: true` at level college or above. */
  | { readonly kind: 'pedagogical-degree' }
  /** A certificate of this kind held; for national-skill, at least `minLevel`. */
  | {
      readonly kind: 'certificate';
      readonly certificate: CertificateKind;
      readonly minLevel?: number;
    };

/** One cell of the standard table: what teaching `level` requires for `requirement`. */
export interface StandardRule {
  readonly level: TeachingLevel;
  readonly requirement: StandardRequirement;
  /** The teaching modes this requirement applies to. */
  readonly modes: readonly TeachingMode[];
  /** Met when any one of these holds. */
  readonly anyOf: readonly Qualification[];
  /** What is needed, in Vietnamese then English, for `explain`. */
  readonly needed: string;
  /** Where the law says so. */
  readonly source: string;
}

export interface QualificationStandard {
  readonly version: string;
  readonly title: string;
  readonly sources: readonly string[];
  readonly rules: readonly StandardRule[];
}

const LAW = 'Luật Giáo dục nghề nghiệp số 74/2014/QH13, Điều 54 (trình độ chuẩn của nhà giáo)';
const CIRCULAR =
  'Thông tư 05/2024/TT-BLĐTBXH ngày 10/5/2024, tiêu chuẩn 1 (trình độ đào tạo, chuyên môn, nghiệp vụ)';
const SOURCE = `${LAW}; ${CIRCULAR}`;

const THEORY: readonly TeachingMode[] = ['theory', 'integrated'];
const PRACTICE: readonly TeachingMode[] = ['practice', 'integrated'];
const ALWAYS: readonly TeachingMode[] = ['theory', 'practice', 'integrated'];

const degree = (level: DegreeLevel): Qualification => ({ kind: 'degree-at-least', level });
const cert = (certificate: CertificateKind, minLevel?: number): Qualification =>
  minLevel === undefined
    ? { kind: 'certificate', certificate }
    : { kind: 'certificate', certificate, minLevel };
const PEDAGOGICAL: Qualification = { kind: 'pedagogical-degree' };

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
};

/**
 * Version 05/2024 of the qualification standard (docs/indicators.md § Qualification standard 05/2024), literal (reading 9):
 * a practice-licence or honorary-title does not meet elementary practice, and a
 * degree ≥ college alone meets college and intermediate practice.
 */
const V05_2024: QualificationStandard = {
  version: '05/2024',
  title:
    'Chuẩn trình độ của nhà giáo GDNN theo Thông tư 05/2024/TT-BLĐTBXH / VET teacher qualification standard, Circular 05/2024',
  sources: [LAW, CIRCULAR],
  rules: [
    {
      level: 'college',
      requirement: 'theory',
      modes: THEORY,
      anyOf: [degree('bachelor')],
      needed: 'bằng cử nhân trở lên / a bachelor degree or higher',
      source: SOURCE,
    },
    {
      level: 'intermediate',
      requirement: 'theory',
      modes: THEORY,
      anyOf: [degree('bachelor')],
      needed: 'bằng cử nhân trở lên / a bachelor degree or higher',
      source: SOURCE,
    },
    {
      level: 'elementary',
      requirement: 'theory',
      modes: THEORY,
      anyOf: [degree('intermediate')],
      needed: 'bằng trung cấp trở lên / an intermediate degree or higher',
      source: SOURCE,
    },
    {
      level: 'college',
      requirement: 'practice',
      modes: PRACTICE,
      anyOf: [
        cert('national-skill', 3),
        cert('practice-licence'),
        cert('honorary-title'),
        degree('college'),
      ],
      needed:
        'chứng chỉ kỹ năng nghề quốc gia bậc 3 trở lên, chứng chỉ hành nghề, danh hiệu nghệ nhân hoặc bằng cao đẳng trở lên / national skill level 3 or higher, a practice licence, an honorary title, or a college degree or higher',
      source: SOURCE,
    },
    {
      level: 'intermediate',
      requirement: 'practice',
      modes: PRACTICE,
      anyOf: [
        cert('national-skill', 2),
        cert('practice-licence'),
        cert('honorary-title'),
        degree('college'),
      ],
      needed:
        'chứng chỉ kỹ năng nghề quốc gia bậc 2 trở lên, chứng chỉ hành nghề, danh hiệu nghệ nhân hoặc bằng cao đẳng trở lên / national skill level 2 or higher, a practice licence, an honorary title, or a college degree or higher',
      source: SOURCE,
    },
    {
      level: 'elementary',
      requirement: 'practice',
      modes: PRACTICE,
      anyOf: [cert('national-skill', 1), degree('intermediate')],
      needed:
        'chứng chỉ kỹ năng nghề quốc gia bậc 1 trở lên hoặc bằng trung cấp trở lên / national skill level 1 or higher, or an intermediate degree or higher',
      source: SOURCE,
    },
    {
      level: 'college',
      requirement: 'pedagogy',
      modes: ALWAYS,
      anyOf: [PEDAGOGICAL, cert('pedagogy-vet')],
      needed:
        'bằng tốt nghiệp sư phạm hoặc chứng chỉ nghiệp vụ sư phạm dạy GDNN / a pedagogical degree or a VET pedagogy certificate',
      source: SOURCE,
    },
    {
      level: 'intermediate',
      requirement: 'pedagogy',
      modes: ALWAYS,
      anyOf: [PEDAGOGICAL, cert('pedagogy-vet')],
      needed:
        'bằng tốt nghiệp sư phạm hoặc chứng chỉ nghiệp vụ sư phạm dạy GDNN / a pedagogical degree or a VET pedagogy certificate',
      source: SOURCE,
    },
    {
      level: 'elementary',
      requirement: 'pedagogy',
      modes: ALWAYS,
      anyOf: [PEDAGOGICAL, cert('pedagogy-vet'), cert('pedagogy-elementary')],
      needed:
        'bằng tốt nghiệp sư phạm, chứng chỉ nghiệp vụ sư phạm dạy GDNN hoặc dạy trình độ sơ cấp / a pedagogical degree, a VET pedagogy certificate or an elementary-level pedagogy certificate',
      source: SOURCE,
    },
  ],
};

/**
 * Every version of the qualification standard, oldest first. The text of the law
 * must be re-checked; a correction is a new version appended here, never an edit
 * of an existing one, so figures computed under an old version stay reproducible.
 */
export const QUALIFICATION_STANDARDS: readonly QualificationStandard[] = deepFreeze([V05_2024]);

/** The standard of that version; throws naming the known versions when there is none. */
export const qualificationStandard = (version: string): QualificationStandard => {
  const found = QUALIFICATION_STANDARDS.find((s) => s.version === version);
  if (found === undefined)
    throw new Error(
      `unknown qualification standard version ${JSON.stringify(version)} (known: ${QUALIFICATION_STANDARDS.map((s) => s.version).join(', ')})`,
    );
  return found;
};
