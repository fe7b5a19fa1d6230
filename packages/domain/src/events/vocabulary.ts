/** The closed vocabularies of event contract v1 (docs/events.md § Types), in contract order. */
export const UNIT_KINDS = ['college', 'vet-centre', 'private', 'other'] as const;
export const EMPLOYMENTS = ['permanent', 'visiting'] as const;
export const TEACHING_LEVELS = ['college', 'intermediate', 'elementary'] as const;
export const TEACHING_MODES = ['theory', 'practice', 'integrated'] as const;
export const GENDERS = ['female', 'male'] as const;
export const LEAVE_REASONS = [
  'retired',
  'resigned',
  'dismissed',
  'deceased',
  'contract-ended',
  'other',
] as const;
/** Degree levels in their order: elementary < intermediate < college < bachelor < master < doctorate. */
export const DEGREE_LEVELS = [
  'elementary',
  'intermediate',
  'college',
  'bachelor',
  'master',
  'doctorate',
] as const;
export const CERTIFICATE_KINDS = [
  'pedagogy-elementary',
  'pedagogy-vet',
  'national-skill',
  'practice-licence',
  'honorary-title',
  'foreign-language',
  'it-skills',
  'other',
] as const;
export const TOPICS = [
  'curriculum-outcomes',
  'quality-accreditation',
  'digital-materials',
  'digital-transformation',
  'pedagogy',
  'vocational-skills',
  'foreign-language',
  'management',
  'other',
] as const;
export const PROGRAMME_MODES = ['in-person', 'online', 'blended'] as const;
export const COURSE_RESULTS = ['passed', 'merit', 'distinction'] as const;
export const POSTGRADUATE_LEVELS = ['master', 'doctorate'] as const;
export const CONTEST_LEVELS = ['institution', 'provincial', 'national'] as const;
export const CONTEST_AWARDS = ['first', 'second', 'third', 'consolation', 'certificate'] as const;
export const FUNDING_SOURCES = [
  'state-budget',
  'national-target-programme',
  'unit-revenue',
  'mobilised',
] as const;

export type UnitKind = (typeof UNIT_KINDS)[number];
export type Employment = (typeof EMPLOYMENTS)[number];
export type TeachingLevel = (typeof TEACHING_LEVELS)[number];
export type TeachingMode = (typeof TEACHING_MODES)[number];
export type DegreeLevel = (typeof DEGREE_LEVELS)[number];
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];
export type Topic = (typeof TOPICS)[number];

/** Rank of a degree level: higher is more advanced. */
export const degreeRank = (level: DegreeLevel): number => DEGREE_LEVELS.indexOf(level);
