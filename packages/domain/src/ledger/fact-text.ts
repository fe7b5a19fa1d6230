import type { EventData } from '../events/schemas.js';
import type { EventTypeOfKind } from '../events/streams.js';
import type { FactEvent } from '../facts/fold.js';

type TeacherEventType = EventTypeOfKind<'teacher'>;

/**
 * Whether each teacher event type changes a teacher's facts. Checked against a
 * record over the teacher's event types, so a new one fails to compile here until
 * it is classed; the fact types then need a codec below.
 */
const CHANGES_FACTS = {
  TeacherRegistered: false,
  TeacherHired: true,
  TeachingAssignmentChanged: true,
  TeacherTransferred: true,
  TeacherLeft: true,
  DegreeAwarded: true,
  DegreeRevoked: true,
  CertificateIssued: true,
  CertificateRevoked: true,
  TeacherEnrolled: true,
  EnrolmentWithdrawn: true,
  CourseCompleted: true,
  CourseCompletionRevoked: true,
  PostgraduateStudyStarted: false,
  PostgraduateStudyAbandoned: false,
  TeachingContestAwarded: false,
  EventRetracted: false,
} as const satisfies { readonly [K in TeacherEventType]: boolean };

/** The event types that change a teacher's facts: the ones the ledger keeps for re-folds. */
export type FactEventType = {
  [K in TeacherEventType]: (typeof CHANGES_FACTS)[K] extends true ? K : never;
}[TeacherEventType];

type Data<K extends FactEventType> = EventData<K>;

interface Codec<K extends FactEventType> {
  readonly code: string;
  /** How many fields `fields` writes. */
  readonly n: number;
  /**
   * The fields `applyFact` reads, in a fixed order, joined by spaces (a template
   * rather than an array join: this runs once per fact event); absent optional
   * fields are ''.
   */
  readonly fields: (data: Data<K>) => string;
  /** The data again, with exactly the fields `applyFact` reads (plus `teacherId`). */
  readonly data: (teacherId: string, f: readonly string[]) => Data<K>;
}

const opt = (s: string | undefined): string => s ?? '';
const at = (f: readonly string[], i: number): string => f[i] ?? '';

/*
 * Keyed by every fact event type (the mapped type fails to compile when one is
 * missing). Only what the fold reads is kept: names of institutions, reasons,
 * hours and the like never move a fact, and they are most of an event's bytes.
 * A field the fold starts reading must be added here too (fact-text.test.ts folds
 * every type both ways and fails when the facts differ).
 */
const CODECS: { readonly [K in FactEventType]: Codec<K> } = {
  TeacherHired: {
    code: 'H',
    n: 5,
    fields: (d) => `${d.unitId} ${d.employment} ${d.hiredOn} ${d.levels.join(',')} ${d.mode}`,
    data: (teacherId, f) =>
      ({
        teacherId,
        unitId: at(f, 0),
        employment: at(f, 1),
        hiredOn: at(f, 2),
        levels: at(f, 3).split(','),
        mode: at(f, 4),
      }) as Data<'TeacherHired'>,
  },
  TeachingAssignmentChanged: {
    code: 'A',
    n: 3,
    fields: (d) => `${d.levels.join(',')} ${d.mode} ${d.effectiveOn}`,
    data: (teacherId, f) =>
      ({
        teacherId,
        levels: at(f, 0).split(','),
        mode: at(f, 1),
        effectiveOn: at(f, 2),
      }) as Data<'TeachingAssignmentChanged'>,
  },
  TeacherTransferred: {
    code: 'T',
    n: 2,
    fields: (d) => `${d.toUnitId} ${d.effectiveOn}`,
    data: (teacherId, f) => ({ teacherId, toUnitId: at(f, 0), effectiveOn: at(f, 1) }),
  },
  TeacherLeft: {
    code: 'L',
    n: 1,
    fields: (d) => `${d.leftOn}`,
    // The reason is not a fact; any valid one stands in for it.
    data: (teacherId, f) => ({ teacherId, leftOn: at(f, 0), reason: 'other' }),
  },
  DegreeAwarded: {
    code: 'D',
    n: 4,
    fields: (d) => `${d.degreeId} ${d.level} ${d.awardedOn} ${d.pedagogical === true ? '1' : '0'}`,
    data: (teacherId, f) =>
      ({
        teacherId,
        degreeId: at(f, 0),
        level: at(f, 1),
        awardedOn: at(f, 2),
        pedagogical: at(f, 3) === '1',
      }) as Data<'DegreeAwarded'>,
  },
  DegreeRevoked: {
    code: 'd',
    n: 2,
    fields: (d) => `${d.degreeId} ${d.revokedOn}`,
    data: (teacherId, f) =>
      ({ teacherId, degreeId: at(f, 0), revokedOn: at(f, 1) }) as Data<'DegreeRevoked'>,
  },
  CertificateIssued: {
    code: 'C',
    n: 5,
    fields: (d) =>
      `${d.certificateId} ${d.kind} ${d.issuedOn} ${d.level === undefined ? '' : String(d.level)} ${opt(d.expiresOn)}`,
    data: (teacherId, f) => {
      const d = {
        teacherId,
        certificateId: at(f, 0),
        kind: at(f, 1),
        issuedOn: at(f, 2),
      } as { -readonly [P in keyof Data<'CertificateIssued'>]: Data<'CertificateIssued'>[P] };
      if (at(f, 3) !== '') d.level = Number(at(f, 3));
      if (at(f, 4) !== '') d.expiresOn = at(f, 4);
      return d;
    },
  },
  CertificateRevoked: {
    code: 'c',
    n: 2,
    fields: (d) => `${d.certificateId} ${d.revokedOn}`,
    data: (teacherId, f) =>
      ({ teacherId, certificateId: at(f, 0), revokedOn: at(f, 1) }) as Data<'CertificateRevoked'>,
  },
  TeacherEnrolled: {
    code: 'E',
    n: 2,
    fields: (d) => `${d.programmeId} ${d.enrolledOn}`,
    data: (teacherId, f) => ({ teacherId, programmeId: at(f, 0), enrolledOn: at(f, 1) }),
  },
  EnrolmentWithdrawn: {
    code: 'e',
    n: 2,
    fields: (d) => `${d.programmeId} ${d.withdrawnOn}`,
    data: (teacherId, f) => ({ teacherId, programmeId: at(f, 0), withdrawnOn: at(f, 1) }),
  },
  CourseCompleted: {
    code: 'P',
    n: 2,
    fields: (d) => `${d.programmeId} ${d.completedOn}`,
    data: (teacherId, f) => ({ teacherId, programmeId: at(f, 0), completedOn: at(f, 1) }),
  },
  CourseCompletionRevoked: {
    code: 'p',
    n: 2,
    fields: (d) => `${d.programmeId} ${d.revokedOn}`,
    data: (teacherId, f) =>
      ({
        teacherId,
        programmeId: at(f, 0),
        revokedOn: at(f, 1),
      }) as Data<'CourseCompletionRevoked'>,
  },
};

const BY_CODE = new Map<string, FactEventType>(
  (Object.keys(CODECS) as FactEventType[]).map((type) => [CODECS[type].code, type]),
);

const FACT_TABLE: { readonly [type: string]: boolean | undefined } = CHANGES_FACTS;
export const isFactEventType = (type: string): type is FactEventType =>
  Object.hasOwn(FACT_TABLE, type) && FACT_TABLE[type] === true;

/*
 * Space-separated: ids, dates and vocabulary words never hold a space (nor the
 * ',' between levels), so the text needs no quoting and stays one byte a
 * character; it is also stored as a JSON string without escapes. An event with a
 * space in a field read (never a validated one) is kept whole, as JSON ('{…').
 */
const SEP = ' ';

/**
 * The compact text of a fact event: its type, id and the fields the fold reads,
 * e.g. `P 0192f0c4-… dt-2025-01 2025-05-12` for a `CourseCompleted`.
 */
export const encodeFact = (event: FactEvent & { readonly type: FactEventType }): string => {
  const codec = CODECS[event.type] as Codec<FactEventType>;
  const text = `${codec.code}${SEP}${event.id}${SEP}${codec.fields(event.data as Data<FactEventType>)}`;
  // The code holds no space and `fields` writes n - 1 separators, so n + 1 spaces in
  // all means none in the id nor in a field. Counting on the whole text (not on the
  // fields and the id apart) also makes V8 flatten it once: the ledger keeps this
  // string for every fact event, as one flat string rather than a chain of pieces.
  if (spaces(text) !== codec.n + 1)
    return JSON.stringify({ id: event.id, type: event.type, data: event.data });
  return text;
};

/*
 * indexOf rather than a charCodeAt loop: the text is a concatenation, and V8 reads
 * each character of one through an indirection per call, where indexOf flattens it
 * once and scans with native code.
 */
const spaces = (text: string): number => {
  let n = 0;
  for (let i = text.indexOf(SEP); i >= 0; i = text.indexOf(SEP, i + 1)) n++;
  return n;
};

/** The id of the event a compact text holds. */
export const factId = (text: string): string => {
  if (text.startsWith('{')) return (JSON.parse(text) as { id: string }).id;
  const end = text.indexOf(SEP, 2);
  return end < 0 ? text.slice(2) : text.slice(2, end);
};

/**
 * The event back from `encodeFact`, with the fields the fold reads: folding the
 * decoded events gives the same facts as folding the originals.
 */
export const decodeFact = (teacherId: string, text: string): FactEvent => {
  if (text.startsWith('{')) {
    const e = JSON.parse(text) as { id?: unknown; type?: unknown; data?: unknown };
    if (typeof e.id !== 'string' || typeof e.type !== 'string' || !isFactEventType(e.type))
      throw new Error(`teacher ${teacherId}: not a fact event: ${JSON.stringify(e.type)}`);
    // Validated when recorded; kept whole only because a field held a space.
    return e as FactEvent;
  }
  const parts = text.split(SEP);
  const type = BY_CODE.get(at(parts, 0));
  if (type === undefined || parts.length !== CODECS[type].n + 2)
    throw new Error(`teacher ${teacherId}: not a compact fact event: ${JSON.stringify(text)}`);
  const data = (CODECS[type] as Codec<FactEventType>).data(teacherId, parts.slice(2));
  return { id: at(parts, 1), type, data } as FactEvent;
};
