import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AUTHORITY,
  EVENT_TYPES,
  type EventType,
  ROLES,
  type Role,
  SUBMITTED_AS,
  SUBMITTED_BY,
} from '@nhagiao/domain';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { createIngestor } from './ingestor.js';
import { arrayItems } from './lines.js';
import type { Actor, AnnualReportValues, ItemOutcome } from './types.js';

/**
 * The authority matrix, generated from the table: every event type × every
 * role × a teacher or unit of the key's own unit, of another unit, and of a
 * unit merged into the key's unit, through the real ingestor on a real SQLite
 * store. The expected outcome is what the table's rule means for the relation.
 */
type Relation = 'own' | 'other' | 'merged';
const RELATIONS: readonly Relation[] = ['own', 'other', 'merged'];

const expected = (type: EventType, role: Role, relation: Relation): 'accepted' | 'forbidden' => {
  if (role === 'admin') return 'accepted';
  if (role !== 'integrator') return 'forbidden';
  switch (AUTHORITY[type]) {
    case 'so':
      return 'forbidden';
    case 'anyone':
      return 'accepted';
    default:
      // Every other rule names the key's unit, following merges.
      return relation === 'other' ? 'forbidden' : 'accepted';
  }
};

const ev = (type: string, data: Record<string, unknown>, metadata?: Record<string, string>) => ({
  id: randomUUID(),
  type,
  data,
  ...(metadata === undefined ? {} : { metadata }),
});

/** Zero figures: the matrix is about who may sign a report off, not its figures. */
const zeroReports: AnnualReportValues = {
  values: () => Promise.resolve([{ indicator: 'master-or-above', numerator: 0, denominator: 0 }]),
};

interface Case {
  readonly n: number;
  readonly type: EventType;
  readonly role: Role;
  readonly relation: Relation;
}

const CASES: Case[] = EVENT_TYPES.flatMap((type) =>
  ROLES.flatMap((role) => RELATIONS.map((relation) => ({ type, role, relation }))),
).map((c, n) => ({ ...c, n }));

/** Units and teachers of one case: nothing one case does reaches another's. */
const names = (n: number) => ({
  own: `own-${n}`,
  own2: `own2-${n}`,
  other: `other-${n}`,
  merged: `merged-${n}`,
  spare: `spare-${n}`,
  programme: `p-${n}`,
  teacher: `t-${n}`,
  newcomer: `h-${n}`,
});

const unitOf = (c: Case): string => names(c.n)[c.relation];

const fixture = (c: Case): unknown[] => {
  const u = names(c.n);
  const at = unitOf(c);
  const unit = (unitId: string) =>
    ev('UnitRegistered', {
      unitId,
      name: `Đơn vị ${unitId}`,
      kind: 'college',
      area: 'ba-be',
      registeredOn: '2010-01-01',
    });
  // Recorded by a key of the teacher's unit: what a retraction, revocation or withdrawal may undo.
  const byUnit = { [SUBMITTED_BY]: 'key-of-unit', [SUBMITTED_AS]: `integrator:${at}` };
  const t = u.teacher;
  return [
    unit(u.own),
    unit(u.own2),
    unit(u.other),
    unit(u.merged),
    unit(u.spare),
    ev('UnitMerged', { unitId: u.merged, intoUnitId: u.own, effectiveOn: '2023-01-01' }),
    ev('ProgrammeRegistered', {
      programmeId: u.programme,
      title: 'Chuyển đổi số',
      provider: 'Sở LĐTBXH',
      topics: ['digital-transformation'],
    }),
    ev('TeacherRegistered', { teacherId: t, fullName: 'Nguyễn Văn A' }),
    ev('TeacherHired', {
      teacherId: t,
      unitId: at,
      employment: 'permanent',
      hiredOn: '2020-01-01',
      levels: ['college'],
      mode: 'integrated',
    }),
    ev(
      'DegreeAwarded',
      {
        teacherId: t,
        degreeId: `d1-${c.n}`,
        level: 'bachelor',
        field: 'Điện',
        institution: 'ĐH Thái Nguyên',
        awardedOn: '2015-06-01',
      },
      byUnit,
    ),
    {
      ...ev(
        'CertificateIssued',
        {
          teacherId: t,
          certificateId: `c1-${c.n}`,
          kind: 'pedagogy-vet',
          issuedOn: '2019-01-01',
        },
        byUnit,
      ),
      id: `00000000-0000-4000-8000-${String(c.n).padStart(12, '0')}`,
    },
    ev(
      'TeacherEnrolled',
      { teacherId: t, programmeId: u.programme, enrolledOn: '2021-01-01' },
      byUnit,
    ),
    ev(
      'CourseCompleted',
      { teacherId: t, programmeId: u.programme, completedOn: '2021-06-01' },
      byUnit,
    ),
    ev(
      'PostgraduateStudyStarted',
      {
        teacherId: t,
        level: 'master',
        institution: 'ĐH Sư phạm Kỹ thuật',
        startedOn: '2022-01-01',
      },
      byUnit,
    ),
    ev('TeacherRegistered', { teacherId: u.newcomer, fullName: 'Trần Thị B' }),
  ];
};

/** The envelope a case submits: about the case's unit of the given relation, or its teacher there. */
const attempt = (c: Case): unknown => {
  const u = names(c.n);
  const at = unitOf(c);
  const t = u.teacher;
  const p = u.programme;
  const data: { readonly [T in EventType]: Record<string, unknown> } = {
    UnitRegistered: {
      unitId: `new-${c.n}`,
      name: 'Mới',
      kind: 'vet-centre',
      area: 'ba-be',
      registeredOn: '2025-01-01',
    },
    UnitRenamed: { unitId: at, name: 'Tên mới', effectiveOn: '2025-01-01' },
    UnitAreaChanged: { unitId: at, area: 'na-ri', effectiveOn: '2025-01-01' },
    UnitMerged: { unitId: u.spare, intoUnitId: at, effectiveOn: '2025-01-01' },
    ProgrammeRegistered: {
      programmeId: `np-${c.n}`,
      title: 'Kỹ năng số',
      provider: 'Trường',
      topics: ['digital-transformation'],
    },
    ProgrammeTopicsCorrected: {
      programmeId: p,
      topics: ['digital-transformation', 'foreign-language'],
      reason: 'sửa chủ đề',
    },
    TrainingFunded: {
      fundingId: `f-${c.n}`,
      programmeId: p,
      source: 'state-budget',
      amountVnd: 1_000_000,
      fundedOn: '2025-01-01',
    },
    TeacherRegistered: { teacherId: `nt-${c.n}`, fullName: 'Lê Văn C' },
    TeacherHired: {
      teacherId: u.newcomer,
      unitId: at,
      employment: 'permanent',
      hiredOn: '2025-01-01',
      levels: ['college'],
      mode: 'integrated',
    },
    TeacherTransferred: { teacherId: t, toUnitId: u.own2, effectiveOn: '2025-01-01' },
    TeachingAssignmentChanged: {
      teacherId: t,
      levels: ['intermediate'],
      mode: 'integrated',
      effectiveOn: '2025-01-01',
    },
    TeacherLeft: { teacherId: t, leftOn: '2025-01-01', reason: 'retired' },
    DegreeAwarded: {
      teacherId: t,
      degreeId: `d2-${c.n}`,
      level: 'master',
      field: 'Điện',
      institution: 'ĐH Bách khoa',
      awardedOn: '2024-06-01',
    },
    DegreeRevoked: { teacherId: t, degreeId: `d1-${c.n}`, revokedOn: '2025-01-01', reason: 'giả' },
    CertificateIssued: {
      teacherId: t,
      certificateId: `c2-${c.n}`,
      kind: 'pedagogy-vet',
      issuedOn: '2024-01-01',
    },
    CertificateRevoked: {
      teacherId: t,
      certificateId: `c1-${c.n}`,
      revokedOn: '2025-01-01',
      reason: 'giả',
    },
    TeacherEnrolled: { teacherId: t, programmeId: p, enrolledOn: '2024-01-01' },
    CourseCompleted: { teacherId: t, programmeId: p, completedOn: '2024-06-01' },
    EnrolmentWithdrawn: { teacherId: t, programmeId: p, withdrawnOn: '2024-06-01' },
    CourseCompletionRevoked: {
      teacherId: t,
      programmeId: p,
      revokedOn: '2025-01-01',
      reason: 'sai',
    },
    PostgraduateStudyStarted: {
      teacherId: t,
      level: 'doctorate',
      institution: 'ĐH Bách khoa',
      startedOn: '2024-09-01',
    },
    PostgraduateStudyAbandoned: { teacherId: t, level: 'master', abandonedOn: '2024-09-01' },
    TeachingContestAwarded: { teacherId: t, level: 'provincial', year: 2024, award: 'first' },
    EventRetracted: {
      teacherId: t,
      eventId: `00000000-0000-4000-8000-${String(c.n).padStart(12, '0')}`,
      reason: 'nhập nhầm',
    },
    AnnualReportSubmitted: { unitId: at, year: 2025, asOf: '2025-06-30' },
  };
  return ev(c.type, data[c.type]);
};

const actorOf = (c: Case): Actor => {
  const u = names(c.n);
  return c.role === 'integrator'
    ? { id: `key-${c.n}`, role: 'integrator', units: new Set([u.own, u.own2]) }
    : { id: `key-${c.n}`, role: c.role };
};

describe('authority matrix (generated from AUTHORITY)', () => {
  let dir: string;
  let store: EventStore;
  const outcomes = new Map<number, ItemOutcome | undefined>();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-authority-'));
    store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
    const ingestor = createIngestor({ store });
    const setup = await ingestor.ingest(arrayItems(CASES.flatMap(fixture)), { source: 'fixture' });
    expect(setup.rejected).toBe(0);
    for (const c of CASES) {
      const report = await ingestor.ingest(arrayItems([attempt(c)]), {
        source: `case ${c.n}`,
        actor: actorOf(c),
        annualReports: zeroReports,
      });
      outcomes.set(c.n, report.items[0]);
    }
    ingestor.close();
  }, 60_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('covers every event type with a rule', () => {
    expect(Object.keys(AUTHORITY).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(
    CASES.map(
      (c) => [c.type, c.role, c.relation, expected(c.type, c.role, c.relation), c.n] as const,
    ),
  )('%s by %s about the %s unit: %s', (_type, _role, _relation, outcome, n) => {
    const got = outcomes.get(n);
    if (outcome === 'accepted') expect(got).toMatchObject({ status: 'accepted' });
    else expect(got).toMatchObject({ status: 'rejected', code: 'forbidden' });
  });
});

/**
 * The same table for a teacher no unit has hired yet: it belongs to whoever
 * registered it (the key's own unit, another unit, or the Sở), and a unit hires
 * it only with authority over every fact recorded about it before.
 */
type Registrant = 'own' | 'other' | 'so';
const REGISTRANTS: readonly Registrant[] = ['own', 'other', 'so'];
const TEACHER_RULES = new Set([
  'employer',
  'hiring-unit',
  'both-units',
  'retraction',
  'cancellation',
]);

const expectedUnhired = (type: EventType, registrant: Registrant): 'allowed' | 'forbidden' => {
  if (registrant === 'own') return 'allowed';
  // A teacher the Sở registered, with no unit's fact, is any unit's to hire.
  if (registrant === 'so' && AUTHORITY[type] === 'hiring-unit') return 'allowed';
  return 'forbidden';
};

interface UnhiredCase {
  readonly n: number;
  readonly type: EventType;
  readonly registrant: Registrant;
}

const UNHIRED_CASES: UnhiredCase[] = EVENT_TYPES.filter((type) =>
  TEACHER_RULES.has(AUTHORITY[type]),
)
  .flatMap((type) => REGISTRANTS.map((registrant) => ({ type, registrant })))
  .map((c, i) => ({ ...c, n: CASES.length + i }));

const unhiredFixture = (c: UnhiredCase): unknown[] => {
  const u = names(c.n);
  const unit = (unitId: string) =>
    ev('UnitRegistered', {
      unitId,
      name: `Đơn vị ${unitId}`,
      kind: 'college',
      area: 'ba-be',
      registeredOn: '2010-01-01',
    });
  const by =
    c.registrant === 'so'
      ? undefined
      : {
          [SUBMITTED_BY]: `key-of-${c.registrant}`,
          [SUBMITTED_AS]: `integrator:${c.registrant === 'own' ? u.own : u.other}`,
        };
  const t = u.teacher;
  const fixtures: unknown[] = [
    unit(u.own),
    unit(u.own2),
    unit(u.other),
    ev('ProgrammeRegistered', {
      programmeId: u.programme,
      title: 'Chuyển đổi số',
      provider: 'Sở LĐTBXH',
      topics: ['digital-transformation'],
    }),
    ev('TeacherRegistered', { teacherId: t, fullName: 'Nguyễn Văn A' }, by),
  ];
  // Facts recorded before any hire (a unit's, in an older log, or the Sở's): what a revocation may cancel.
  fixtures.push(
    ev(
      'DegreeAwarded',
      {
        teacherId: t,
        degreeId: `d1-${c.n}`,
        level: 'bachelor',
        field: 'Điện',
        institution: 'ĐH Thái Nguyên',
        awardedOn: '2015-06-01',
      },
      by,
    ),
    {
      ...ev(
        'CertificateIssued',
        { teacherId: t, certificateId: `c1-${c.n}`, kind: 'pedagogy-vet', issuedOn: '2019-01-01' },
        by,
      ),
      id: `00000000-0000-4000-8000-${String(c.n).padStart(12, '0')}`,
    },
    ev('TeacherEnrolled', { teacherId: t, programmeId: u.programme, enrolledOn: '2021-01-01' }, by),
    ev(
      'CourseCompleted',
      { teacherId: t, programmeId: u.programme, completedOn: '2021-06-01' },
      by,
    ),
    ev(
      'PostgraduateStudyStarted',
      {
        teacherId: t,
        level: 'master',
        institution: 'ĐH Sư phạm Kỹ thuật',
        startedOn: '2022-01-01',
      },
      by,
    ),
  );
  return fixtures;
};

const unhiredAttempt = (c: UnhiredCase): unknown => {
  const sent = attempt({ n: c.n, type: c.type, role: 'integrator', relation: 'own' }) as {
    data: Record<string, unknown>;
  };
  // The hire is of the teacher with facts recorded before it.
  return { ...sent, data: { ...sent.data, teacherId: names(c.n).teacher } };
};

describe('authority over a teacher no unit has hired yet (generated from AUTHORITY)', () => {
  let dir: string;
  let store: EventStore;
  const outcomes = new Map<number, ItemOutcome | undefined>();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-authority-unhired-'));
    store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
    const ingestor = createIngestor({ store });
    const setup = await ingestor.ingest(arrayItems(UNHIRED_CASES.flatMap(unhiredFixture)), {
      source: 'fixture',
    });
    expect(setup.rejected).toBe(0);
    for (const c of UNHIRED_CASES) {
      const u = names(c.n);
      const report = await ingestor.ingest(arrayItems([unhiredAttempt(c)]), {
        source: `case ${c.n}`,
        actor: { id: `key-${c.n}`, role: 'integrator', units: new Set([u.own, u.own2]) },
      });
      outcomes.set(c.n, report.items[0]);
    }
    ingestor.close();
  }, 60_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(
    UNHIRED_CASES.map(
      (c) => [c.type, c.registrant, expectedUnhired(c.type, c.registrant), c.n] as const,
    ),
  )(
    '%s by an integrator about a teacher registered by %s, never hired: %s',
    (_t, _r, outcome, n) => {
      const got = outcomes.get(n);
      expect(got).toBeDefined();
      // Allowed: authority lets it through (the domain rules may still refuse, e.g. a leave before any hire).
      if (outcome === 'allowed') expect(got).not.toMatchObject({ code: 'forbidden' });
      else expect(got).toMatchObject({ status: 'rejected', code: 'forbidden' });
    },
  );
});
