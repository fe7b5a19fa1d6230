import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_TYPES, type Envelope } from '../events/schemas.js';
import { authorise, cancelledFact, recorderOf, submittedAs, writesFor } from './authorise.js';
import { addDays, parseSubmitted } from './plausible.js';
import { AUTHORITY, WRITING_ROLES } from './table.js';
import { teacherViewFor } from './visible.js';

describe('the authority table', () => {
  it('is the one docs/authority.md shows, row for row', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../../../docs/authority.md'), 'utf8');
    const rows = [...doc.matchAll(/^\|\s*`(\w+)`\s*\|\s*`([a-z-]+)`\s*\|/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(Object.fromEntries(rows)).toEqual(AUTHORITY);
    expect(rows.map(([type]) => type).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('lets integrators and admins write, and no reader', () => {
    expect([...WRITING_ROLES].sort()).toEqual(['admin', 'integrator']);
  });

  it('follows merges, in chains, and stops at a cycle', () => {
    const into: Record<string, string> = { a: 'b', b: 'c', x: 'y', y: 'x' };
    const mergedInto = (u: string) => into[u];
    expect(writesFor(['c'], 'a', mergedInto)).toBe(true);
    expect(writesFor(['a'], 'c', mergedInto)).toBe(false);
    expect(writesFor(['z'], 'x', mergedInto)).toBe(false);
  });

  it('reads who recorded an event from its metadata; none is the Sở', () => {
    const key = { keyId: 'k', role: 'integrator' as const, units: ['b', 'a', 'a'] };
    expect(submittedAs(key)).toBe('integrator:a,b');
    expect(recorderOf({ submittedAs: 'integrator:a,b' })).toEqual({
      role: 'integrator',
      units: ['a', 'b'],
    });
    expect(recorderOf({})).toEqual({ role: 'so' });
    expect(recorderOf({ submittedAs: 'integrator:' })).toEqual({ role: 'so' });
  });

  it('refuses a reader any write, and names the field at fault', () => {
    const envelope = {
      id: '0192f0c4-5b7e-7c1a-9d2e-3f4a5b6c7d8e',
      type: 'TeacherRegistered' as const,
      data: { teacherId: 't', fullName: 'A' },
    };
    expect(
      authorise({ keyId: 'r', role: 'reporter', units: [] }, envelope, {
        mergedInto: () => undefined,
      }),
    ).toMatchObject({ path: 'type' });
  });
});

describe('a revocation or withdrawal', () => {
  const ofB = { submittedAs: 'integrator:b' };
  const awarded = (id: string, metadata: Record<string, string>) => ({
    id,
    type: 'DegreeAwarded' as const,
    data: {
      teacherId: 't',
      degreeId: 'd9',
      level: 'master' as const,
      field: 'Điện',
      institution: 'ĐH',
      awardedOn: '2016-01-01',
    },
    metadata,
  });
  const revocation = {
    id: 'r',
    type: 'DegreeRevoked' as const,
    data: { teacherId: 't', degreeId: 'd9', revokedOn: '2016-01-02', reason: 'giả' },
  };
  const key = (unit: string) => ({ keyId: unit, role: 'integrator' as const, units: [unit] });
  const facts = (cancelled?: Record<string, string>) => ({
    mergedInto: (u: string) => (u === 'm' ? 'b' : undefined),
    teacher: { employedAt: 'a', lastUnit: 'a' },
    ...(cancelled === undefined ? {} : { cancelled }),
  });

  it('finds the latest fact it cancels that is not retracted', () => {
    const first = awarded('1', ofB);
    const second = awarded('2', { submittedAs: 'integrator:a' });
    const retraction = {
      id: '3',
      type: 'EventRetracted' as const,
      data: { teacherId: 't', eventId: '2', reason: 'nhầm' },
    };
    expect(cancelledFact(revocation, [first, second])).toBe(second);
    expect(cancelledFact(revocation, [first, second, retraction])).toBe(first);
    expect(cancelledFact(revocation, [])).toBeUndefined();
  });

  it("is the recorder's to assert, not the new employer's", () => {
    expect(authorise(key('a'), revocation, facts(ofB))).toMatchObject({ path: 'data.degreeId' });
    expect(authorise(key('b'), revocation, facts(ofB))).toBeUndefined();
    expect(authorise(key('a'), revocation, facts({}))).toMatchObject({ path: 'data.degreeId' });
    expect(authorise(key('b'), revocation, facts({ submittedAs: 'integrator:m' }))).toBeUndefined();
    // No such fact: the employer's, and the domain rules refuse it.
    expect(authorise(key('a'), revocation, facts())).toBeUndefined();
    expect(authorise(key('b'), revocation, facts())).toMatchObject({ path: 'data.teacherId' });
  });
});

describe('intake', () => {
  it('adds days across months and leap years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-08-30', 366)).toBe('2026-08-31');
  });

  it('says which field, why and how to fix a date outside the window', () => {
    const result = parseSubmitted(
      {
        id: '0192F0C4-5B7E-7C1A-9D2E-3F4A5B6C7D8E',
        type: 'TeacherLeft',
        data: { teacherId: 't', leftOn: '2027-01-01', reason: 'resigned' },
      },
      '2025-08-30',
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.issues).toEqual([
        {
          path: 'data.leftOn',
          message:
            '2027-01-01 is more than 366 days after today (2025-08-30), the latest date accepted for leftOn; record the event nearer the day, or check the year',
        },
      ]);
    const fine = parseSubmitted(
      {
        id: '0192F0C4-5B7E-7C1A-9D2E-3F4A5B6C7D8E',
        type: 'TeacherLeft',
        data: { teacherId: 't', leftOn: '2026-01-01', reason: 'resigned' },
      },
      '2025-08-30',
    );
    expect(fine.ok && fine.value.id).toBe('0192f0c4-5b7e-7c1a-9d2e-3f4a5b6c7d8e');
  });
});

describe('a teacher no unit has hired yet', () => {
  const key = (unit: string) => ({ keyId: unit, role: 'integrator' as const, units: [unit] });
  const none = () => undefined;
  const degree = {
    id: 'd',
    type: 'DegreeAwarded' as const,
    data: {
      teacherId: 't',
      degreeId: 'd1',
      level: 'master' as const,
      field: 'Điện',
      institution: 'ĐH',
      awardedOn: '2016-01-01',
    },
  };
  const hire = (unitId: string) => ({
    id: 'h',
    type: 'TeacherHired' as const,
    data: {
      teacherId: 't',
      unitId,
      employment: 'permanent' as const,
      hiredOn: '2024-01-01',
      levels: ['college' as const],
      mode: 'integrated' as const,
    },
  });
  const unhired = (registeredAs: string | undefined, recordedBeforeHire: string[] = []) => ({
    mergedInto: none,
    teacher: { employedAt: undefined, lastUnit: undefined, registeredAs, recordedBeforeHire },
  });

  it('belongs to whoever registered it: another unit records no fact about it', () => {
    expect(authorise(key('a'), degree, unhired('integrator:a', ['integrator:a']))).toBeUndefined();
    const refused = authorise(key('b'), degree, unhired('integrator:a', ['integrator:a']));
    expect(refused).toMatchObject({ path: 'data.teacherId' });
    expect(refused?.message).not.toContain('integrator:a');
    // Registered by the Sở: only the Sở records facts until a unit hires the teacher.
    expect(authorise(key('a'), degree, unhired(undefined))).toMatchObject({
      path: 'data.teacherId',
    });
  });

  it("is hired only by a unit with authority over every fact recorded before: another unit's are never counted", () => {
    expect(
      authorise(key('a'), hire('a'), unhired('integrator:a', ['integrator:a'])),
    ).toBeUndefined();
    expect(authorise(key('b'), hire('b'), unhired('integrator:a', ['integrator:a']))).toMatchObject(
      { path: 'data.teacherId' },
    );
    // Registered by the Sở, with no unit's fact: any unit hires.
    expect(authorise(key('b'), hire('b'), unhired(undefined))).toBeUndefined();
    // Registered by the Sở, a unit's fact recorded before (an older log): only that unit hires.
    expect(authorise(key('b'), hire('b'), unhired(undefined, ['integrator:a']))).toMatchObject({
      path: 'data.teacherId',
    });
  });
});

describe('a key of a merged-away unit', () => {
  const registration = {
    id: 'x',
    type: 'TeacherRegistered' as const,
    data: { teacherId: 't', fullName: 'A' },
  };
  const facts = {
    mergedInto: (u: string) => (u === 'a' ? 'b' : undefined),
    mergedOn: (u: string) => (u === 'a' ? '2025-01-01' : undefined),
  };

  it('records nothing more, and is told to ask the Sở for a key of the surviving unit', () => {
    const refused = authorise(
      { keyId: 'k', role: 'integrator', units: ['a'] },
      registration,
      facts,
    );
    expect(refused).toMatchObject({ path: 'key' });
    expect(refused?.message).toContain('merged into b on 2025-01-01');
    expect(refused?.message).toContain('ask the Sở for a key of b');
    expect(
      authorise({ keyId: 'k', role: 'integrator', units: ['b'] }, registration, facts),
    ).toBeUndefined();
  });
});

describe('what an integrator key reads of a teacher', () => {
  const by = (unit: string) => ({ submittedAs: `integrator:${unit}`, source: `register.${unit}` });
  const e = (id: string, type: string, data: Record<string, unknown>, unit?: string) =>
    ({
      id,
      type,
      data: { teacherId: 't', ...data },
      ...(unit === undefined ? {} : { metadata: by(unit) }),
    }) as unknown as Envelope;
  const history: Envelope[] = [
    e('1', 'TeacherRegistered', { fullName: 'A' }, 'v'),
    e('2', 'TeacherHired', { unitId: 'v', hiredOn: '2015-01-01' }, 'v'),
    e('3', 'DegreeAwarded', { degreeId: 'd', level: 'master' }, 'v'),
    e('4', 'CourseCompleted', { programmeId: 'p' }, 'v'),
    e('5', 'TeacherTransferred', { toUnitId: 'w', effectiveOn: '2018-01-01' }),
    e('6', 'TeacherEnrolled', { programmeId: 'q' }, 'w'),
    e('7', 'TeacherLeft', { leftOn: '2020-01-01' }, 'w'),
    e('8', 'TeacherHired', { unitId: 'u', hiredOn: '2021-01-01' }, 'u'),
    e('9', 'EventRetracted', { eventId: '3' }, 'v'),
    e('10', 'EventRetracted', { eventId: '4' }, 'v'),
  ];
  const none = () => undefined;
  const ids = (units: string[], mergedInto: (u: string) => string | undefined = none) =>
    teacherViewFor(units, mergedInto, history).events.map((x) => x.id);

  it("gives each unit its own span, the qualifications, and retractions of what it sees; nothing of another unit's span", () => {
    expect(ids(['u'])).toEqual(['1', '3', '8', '9']);
    expect(ids(['v'])).toEqual(['1', '2', '3', '4', '5', '9', '10']);
    // The receiving end of a transfer sees it, and the hire the employment began with.
    expect(ids(['w'])).toEqual(['1', '2', '3', '5', '6', '7', '9']);
    expect(ids(['x'])).toEqual([]);
    expect(teacherViewFor(['x'], none, history).readable).toBe(false);
    // Qualifications outside the span come without their metadata (the sender's source names the unit).
    const degree = teacherViewFor(['u'], none, history).events.find((x) => x.id === '3');
    expect(degree?.metadata).toEqual({});
  });

  it('follows merges, and gives a never-hired teacher to whoever registered them', () => {
    expect(ids(['z'], (u) => (u === 'u' ? 'z' : undefined))).toEqual(['1', '3', '8', '9']);
    const unhired = history.slice(0, 1);
    expect(teacherViewFor(['v'], none, unhired).readable).toBe(true);
    expect(teacherViewFor(['u'], none, unhired).readable).toBe(false);
  });
});
