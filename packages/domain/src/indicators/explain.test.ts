import { foldTeacherFacts } from '../facts/fold.js';
import { PLAN_423, eventId, recorder } from '../ledger/test-support/events.js';
import { explainTeacher } from './explain.js';

const r = recorder();
// Events 1–6, ids eventId(1)…eventId(6).
const events = [
  r('TeacherHired', {
    teacherId: 't1',
    unitId: 'cdbk',
    employment: 'permanent',
    hiredOn: '2020-09-01',
    levels: ['college'],
    mode: 'theory',
  }),
  r('DegreeAwarded', {
    teacherId: 't1',
    degreeId: 'b',
    level: 'bachelor',
    field: 'Kế toán',
    institution: 'ĐH Kinh tế',
    awardedOn: '2012-06-01',
  }),
  r('DegreeAwarded', {
    teacherId: 't1',
    degreeId: 'm',
    level: 'master',
    field: 'Kế toán',
    institution: 'ĐH Kinh tế',
    awardedOn: '2021-06-01',
  }),
  r('DegreeRevoked', {
    teacherId: 't1',
    degreeId: 'm',
    revokedOn: '2025-03-01',
    reason: 'giả mạo',
  }),
  r('TeacherEnrolled', { teacherId: 't1', programmeId: 'p', enrolledOn: '2024-03-01' }),
  r('CourseCompleted', { teacherId: 't1', programmeId: 'p', completedOn: '2024-04-01' }),
];
const facts = foldTeacherFacts('t1', events);
const byCode = (code: string) => PLAN_423.find((d) => d.code === code)!;

describe('explainTeacher', () => {
  it('names the degree that counts', () => {
    const e = explainTeacher(facts, '2024-12-31', byCode('master-or-above'));
    expect(e).toMatchObject({ inPopulation: true, unitId: 'cdbk', counted: true });
    expect(e.eventIds).toEqual([eventId(1), eventId(3)]);
  });

  it('names the revocation that stopped it counting', () => {
    const e = explainTeacher(facts, '2025-03-01', byCode('master-or-above'));
    expect(e.counted).toBe(false);
    expect(e.eventIds).toEqual([eventId(1), eventId(4)]);
    expect(e.reasons.join('\n')).toContain('revoked from 2025-03-01');
  });

  it('says which requirement of the standard failed', () => {
    const e = explainTeacher(facts, '2024-12-31', byCode('college-lecturers-qualified'));
    expect(e.counted).toBe(false);
    expect(e.reasons.join('\n')).toContain('college pedagogy not met');
    expect(e.eventIds).toContain(eventId(2));
  });

  it('uses the programme topics given', () => {
    const topics = () => ['digital-transformation'] as const;
    const e = explainTeacher(facts, '2024-12-31', byCode('trained-digital-transformation'), topics);
    expect(e.counted).toBe(true);
    expect(e.eventIds).toEqual([eventId(1), eventId(6)]);
    expect(
      explainTeacher(facts, '2024-12-31', byCode('trained-digital-transformation')).counted,
    ).toBe(false);
  });

  it('is out of the population before the hire', () => {
    expect(explainTeacher(facts, '2020-08-31', byCode('master-or-above'))).toMatchObject({
      inPopulation: false,
      unitId: undefined,
      counted: false,
    });
  });
});
