import { eventId, recorder } from '../ledger/test-support/events.js';
import { employmentSegments } from './employment.js';
import { foldTeacherFacts } from './fold.js';

describe('foldTeacherFacts', () => {
  const r = recorder();
  const events = [
    r('TeacherHired', {
      teacherId: 't1',
      unitId: 'cdbk',
      employment: 'permanent',
      hiredOn: '2018-09-01',
      levels: ['college'],
      mode: 'theory',
    }),
    r('TeacherTransferred', {
      teacherId: 't1',
      toUnitId: 'ttgdnn-ba-be',
      effectiveOn: '2021-01-01',
    }),
    r('TeachingAssignmentChanged', {
      teacherId: 't1',
      levels: ['elementary'],
      mode: 'practice',
      effectiveOn: '2022-01-01',
    }),
    r('TeacherLeft', { teacherId: 't1', leftOn: '2023-01-01', reason: 'resigned' }),
    r('TeacherHired', {
      teacherId: 't1',
      unitId: 'cdbk',
      employment: 'visiting',
      hiredOn: '2024-01-01',
      levels: ['intermediate'],
      mode: 'integrated',
    }),
    r('CertificateIssued', {
      teacherId: 't1',
      certificateId: 'c',
      kind: 'national-skill',
      level: 3,
      issuedOn: '2019-01-01',
    }),
    r('CertificateRevoked', {
      teacherId: 't1',
      certificateId: 'c',
      revokedOn: '2024-05-01',
      reason: 'x',
    }),
    r('CertificateRevoked', {
      teacherId: 't1',
      certificateId: 'c',
      revokedOn: '2023-05-01',
      reason: 'x',
    }),
  ];

  it('keeps employments, transfers and assignments with their dates and events', () => {
    const facts = foldTeacherFacts('t1', events);
    expect(facts.employments.map((e) => [e.employment, e.hiredOn, e.leftOn])).toEqual([
      ['permanent', '2018-09-01', '2023-01-01'],
      ['visiting', '2024-01-01', undefined],
    ]);
    expect(
      employmentSegments(facts).map((s) => [s.from, s.to, s.unitId, s.levels.join(), s.mode]),
    ).toEqual([
      ['2018-09-01', '2021-01-01', 'cdbk', 'college', 'theory'],
      ['2021-01-01', '2022-01-01', 'ttgdnn-ba-be', 'college', 'theory'],
      ['2022-01-01', '2023-01-01', 'ttgdnn-ba-be', 'elementary', 'practice'],
      ['2024-01-01', undefined, 'cdbk', 'intermediate', 'integrated'],
    ]);
  });

  it('keeps the earliest revocation, whatever the order they arrive in', () => {
    const [cert] = foldTeacherFacts('t1', events).certificates;
    expect(cert).toMatchObject({ revokedOn: '2023-05-01', revokeEventId: eventId(8) });
  });

  it('leaves out retracted events: a retracted leave reopens the employment', () => {
    const facts = foldTeacherFacts('t1', [
      ...events.slice(0, 4),
      r('EventRetracted', { teacherId: 't1', eventId: eventId(4), reason: 'nhầm' }),
    ]);
    expect(facts.employments).toHaveLength(1);
    expect(facts.employments[0]?.leftOn).toBeUndefined();
  });

  it('ignores other teachers’ events', () => {
    expect(foldTeacherFacts('t2', events).employments).toEqual([]);
  });
});
