import { event, given } from './spec.js';

const T = 'cdbk-017';
const cdbk = event('UnitRegistered', {
  unitId: 'cdbk',
  name: 'Trường Cao đẳng Bắc Kạn',
  kind: 'college',
  area: 'bac-kan-city',
  registeredOn: '2024-01-01',
});
const choDon = event('UnitRegistered', {
  unitId: 'cho-don',
  name: 'Trung tâm GDNN-GDTX huyện Chợ Đồn',
  kind: 'vet-centre',
  area: 'cho-don',
  registeredOn: '2024-01-01',
});
const registered = event('TeacherRegistered', { teacherId: T, fullName: 'Hoàng Thị Lan' });
const hire = (hiredOn: string, unitId = 'cdbk') =>
  event('TeacherHired', {
    teacherId: T,
    unitId,
    employment: 'permanent',
    hiredOn,
    levels: ['college'],
    mode: 'integrated',
  });
const hired = hire('2019-09-01');
const transfer = (effectiveOn: string, toUnitId = 'cho-don') =>
  event('TeacherTransferred', { teacherId: T, toUnitId, effectiveOn });
const left = (leftOn: string) => event('TeacherLeft', { teacherId: T, leftOn, reason: 'resigned' });
const assignment = (effectiveOn: string) =>
  event('TeachingAssignmentChanged', {
    teacherId: T,
    levels: ['intermediate'],
    mode: 'practice',
    effectiveOn,
  });
const employed = [cdbk, choDon, registered, hired] as const;

describe('teacher registration', () => {
  it('registers a new teacher', () => {
    given().when(registered).then();
  });

  it('refuses registering the same teacherId twice', () => {
    given(registered)
      .when(event('TeacherRegistered', { teacherId: T, fullName: 'Someone Else' }))
      .thenThrows('already-exists', `data.teacherId: teacher ${T} is already registered`);
  });

  it.each([
    hire('2019-09-01'),
    left('2020-01-01'),
    event('DegreeAwarded', {
      teacherId: T,
      degreeId: 'd1',
      level: 'master',
      field: 'Kỹ thuật',
      institution: 'ĐH Thái Nguyên',
      awardedOn: '2015-06-01',
    }),
    event('TeachingContestAwarded', {
      teacherId: T,
      level: 'provincial',
      year: 2024,
      award: 'first',
    }),
  ])('refuses $type for a teacher not registered', (e) => {
    given(cdbk)
      .when(e)
      .thenThrows('unknown-teacher', `data.teacherId: teacher ${T} is not registered`);
  });
});

describe('hire', () => {
  it('hires into a registered unit, and into a unit already merged into another', () => {
    given(cdbk, registered).when(hired).then();
    given(
      cdbk,
      choDon,
      registered,
      event('UnitMerged', { unitId: 'cho-don', intoUnitId: 'cdbk', effectiveOn: '2025-07-01' }),
    )
      .when(hire('2025-09-01', 'cho-don'))
      .then();
  });

  it('refuses a hire into an unknown unit', () => {
    given(registered)
      .when(hire('2019-09-01', 'nowhere'))
      .thenThrows('unknown-unit', 'data.unitId: unit nowhere is not registered');
  });

  it('refuses a hire while employed', () => {
    given(...employed)
      .when(hire('2020-01-01', 'cho-don'))
      .thenThrows('already-employed', 'already employed at cdbk since 2019-09-01');
  });

  it('refuses a rehire before the last leftOn, and allows one on that day', () => {
    const history = [...employed, left('2022-01-01')];
    given(...history)
      .when(hire('2021-12-31'))
      .thenThrows('date-backwards', 'data.hiredOn: must not precede the last leftOn 2022-01-01');
    given(...history)
      .when(hire('2022-01-01', 'cho-don'))
      .then();
  });
});

describe('assignment change', () => {
  it('refuses it while not employed', () => {
    given(registered)
      .when(assignment('2020-01-01'))
      .thenThrows('not-employed', `teacher ${T} is not employed`);
  });

  it('refuses a date before the current employment’s latest date, naming it', () => {
    given(...employed, assignment('2021-03-01'))
      .when(assignment('2021-02-28'))
      .thenThrows(
        'date-backwards',
        "data.effectiveOn: must not precede the current employment's latest date 2021-03-01",
      );
    given(...employed, assignment('2021-03-01'))
      .when(assignment('2021-03-01'))
      .then();
  });
});

describe('transfer', () => {
  it('moves an employed teacher to another registered unit', () => {
    given(...employed)
      .when(transfer('2021-01-01'))
      .then();
  });

  it('refuses it while not employed, also after leaving', () => {
    given(cdbk, choDon, registered).when(transfer('2021-01-01')).thenThrows('not-employed');
    given(...employed, left('2020-06-01'))
      .when(transfer('2021-01-01'))
      .thenThrows('not-employed');
  });

  it('refuses an unknown unit; a transfer to the unit already worked at is accepted (no rule forbids it)', () => {
    given(...employed)
      .when(transfer('2021-01-01', 'nowhere'))
      .thenThrows('unknown-unit', 'data.toUnitId');
    const same = transfer('2021-01-01', 'cdbk');
    given(...employed)
      .when(same)
      .then([same]);
  });

  it('refuses a transfer dated before the hire or an earlier transfer', () => {
    given(...employed)
      .when(transfer('2019-08-31'))
      .thenThrows('date-backwards', 'latest date 2019-09-01');
    given(...employed, transfer('2021-01-01'))
      .when(transfer('2020-12-31', 'cdbk'))
      .thenThrows(
        'date-backwards',
        "data.effectiveOn: must not precede the current employment's latest date 2021-01-01",
      );
  });
});

describe('leave', () => {
  it('refuses a leave while not employed', () => {
    given(registered).when(left('2020-01-01')).thenThrows('not-employed');
    given(...employed, left('2020-01-01'))
      .when(left('2021-01-01'))
      .thenThrows('not-employed');
  });

  it('requires leftOn not before the latest employment date (reading 6, literally)', () => {
    given(...employed)
      .when(left('2019-08-31'))
      .thenThrows('date-backwards', 'data.leftOn');
    // Leaving on the hire date does not precede it: an employment of no day, accepted.
    const sameDay = left('2019-09-01');
    given(...employed)
      .when(sameDay)
      .then([sameDay]);
    given(...employed, transfer('2021-01-01'))
      .when(left('2020-12-31'))
      .thenThrows('date-backwards', 'data.leftOn');
    // Leaving on the day a transfer took effect is allowed: leftOn only must not precede it.
    given(...employed, transfer('2021-01-01'))
      .when(left('2021-01-01'))
      .then();
  });
});

describe('degrees and certificates', () => {
  const degree = event('DegreeAwarded', {
    teacherId: T,
    degreeId: 'ths-1',
    level: 'master',
    field: 'Công nghệ thông tin',
    institution: 'Đại học Thái Nguyên',
    awardedOn: '2010-06-01',
  });
  const certificate = event('CertificateIssued', {
    teacherId: T,
    certificateId: 'sp-1',
    kind: 'pedagogy-vet',
    issuedOn: '2012-01-01',
  });
  const revokeDegree = event('DegreeRevoked', {
    teacherId: T,
    degreeId: 'ths-1',
    revokedOn: '2025-01-01',
    reason: 'forged',
  });
  const revokeCertificate = event('CertificateRevoked', {
    teacherId: T,
    certificateId: 'sp-1',
    revokedOn: '2025-01-01',
    reason: 'issued in error',
  });

  it('accepts any past date, also before the hire (reading 6)', () => {
    given(...employed)
      .when(degree)
      .then();
    given(registered).when(certificate).then();
  });

  it('refuses recording the same degreeId or certificateId twice', () => {
    given(registered, degree)
      .when({ ...degree, id: '00000000-0000-4000-8000-ffffffffffff' })
      .thenThrows('already-exists', 'data.degreeId');
    given(registered, certificate)
      .when({ ...certificate, id: '00000000-0000-4000-8000-fffffffffffe' })
      .thenThrows('already-exists', 'data.certificateId');
  });

  it('refuses revoking a degree that does not exist; a second revocation is accepted (the earliest holds)', () => {
    given(registered)
      .when(revokeDegree)
      .thenThrows('not-found', 'data.degreeId: teacher cdbk-017 has no degree ths-1');
    given(registered, degree).when(revokeDegree).then();
    const again = { ...revokeDegree, id: '00000000-0000-4000-8000-fffffffffffd' };
    given(registered, degree, revokeDegree).when(again).then([again]);
  });

  it('refuses revoking a certificate that does not exist; a second revocation is accepted', () => {
    given(registered).when(revokeCertificate).thenThrows('not-found', 'data.certificateId');
    given(registered, certificate).when(revokeCertificate).then();
    const again = { ...revokeCertificate, id: '00000000-0000-4000-8000-fffffffffffc' };
    given(registered, certificate, revokeCertificate).when(again).then([again]);
  });
});

describe('enrolment and completion', () => {
  const programme = event('ProgrammeRegistered', {
    programmeId: 'dt-2025-01',
    title: 'Chuyển đổi số trong GDNN',
    provider: 'Trường Cao đẳng Bắc Kạn',
    topics: ['digital-transformation'],
  });
  const enrolled = event('TeacherEnrolled', {
    teacherId: T,
    programmeId: 'dt-2025-01',
    enrolledOn: '2025-03-01',
  });
  const completion = (completedOn: string) =>
    event('CourseCompleted', { teacherId: T, programmeId: 'dt-2025-01', completedOn });
  const withdrawn = event('EnrolmentWithdrawn', {
    teacherId: T,
    programmeId: 'dt-2025-01',
    withdrawnOn: '2025-04-01',
  });
  const revokeCompletion = event('CourseCompletionRevoked', {
    teacherId: T,
    programmeId: 'dt-2025-01',
    revokedOn: '2025-09-01',
    reason: 'exam irregularity',
  });

  it('refuses an enrolment or completion in an unknown programme', () => {
    given(registered)
      .when(enrolled)
      .thenThrows('unknown-programme', 'data.programmeId: programme dt-2025-01 is not registered');
    given(registered).when(completion('2025-05-12')).thenThrows('unknown-programme');
  });

  it('accepts a completion on or after an open enrolment, even one dated before any hire', () => {
    given(programme, registered, enrolled).when(completion('2025-03-01')).then();
    given(programme, registered, enrolled).when(completion('2025-05-12')).then();
  });

  it('refuses a completion without an enrolment, before it, or after it was withdrawn (reading 10)', () => {
    given(programme, registered)
      .when(completion('2025-05-12'))
      .thenThrows('completion-without-enrolment', 'data.programmeId');
    given(programme, registered, enrolled)
      .when(completion('2025-02-28'))
      .thenThrows(
        'completion-without-enrolment',
        'data.completedOn: must not precede the enrolment in dt-2025-01 on 2025-03-01',
      );
    given(programme, registered, enrolled, withdrawn)
      .when(completion('2025-05-12'))
      .thenThrows('completion-without-enrolment');
  });

  it('accepts a completion after re-enrolling', () => {
    const again = event('TeacherEnrolled', {
      teacherId: T,
      programmeId: 'dt-2025-01',
      enrolledOn: '2025-06-01',
    });
    given(programme, registered, enrolled, withdrawn, again).when(completion('2025-07-01')).then();
  });

  it('refuses withdrawing an enrolment that does not exist', () => {
    given(programme, registered)
      .when(withdrawn)
      .thenThrows('not-found', 'data.programmeId: teacher cdbk-017 has no enrolment in dt-2025-01');
    given(programme, registered, enrolled, withdrawn)
      .when({ ...withdrawn, id: '00000000-0000-4000-8000-fffffffffffb' })
      .thenThrows('not-found');
  });

  it('refuses revoking a completion that does not exist; a second revocation is accepted', () => {
    given(programme, registered, enrolled)
      .when(revokeCompletion)
      .thenThrows('not-found', 'no completion of dt-2025-01');
    const done = completion('2025-05-12');
    given(programme, registered, enrolled, done).when(revokeCompletion).then();
    const again = { ...revokeCompletion, id: '00000000-0000-4000-8000-fffffffffffa' };
    given(programme, registered, enrolled, done, revokeCompletion).when(again).then([again]);
  });
});

describe('postgraduate study', () => {
  const started = event('PostgraduateStudyStarted', {
    teacherId: T,
    level: 'master',
    institution: 'Đại học Thái Nguyên',
    startedOn: '2024-09-01',
  });
  const abandoned = (level: 'master' | 'doctorate') =>
    event('PostgraduateStudyAbandoned', { teacherId: T, level, abandonedOn: '2025-03-01' });

  it('refuses abandoning a study not started (at that level), or abandoned already', () => {
    given(registered)
      .when(abandoned('master'))
      .thenThrows('not-found', 'data.level: teacher cdbk-017 has no master study in progress');
    given(registered, started).when(abandoned('doctorate')).thenThrows('not-found');
    const once = abandoned('master');
    given(registered, started).when(once).then();
    given(registered, started, once).when(abandoned('master')).thenThrows('not-found');
  });
});
