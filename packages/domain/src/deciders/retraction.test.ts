import { decide, evolve, initialStateFor } from './decide.js';
import { event, given } from './spec.js';
import { teacherStateFrom } from './teacher-state.js';

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
const programme = event('ProgrammeRegistered', {
  programmeId: 'dt-2025-01',
  title: 'Chuyển đổi số trong GDNN',
  provider: 'Trường Cao đẳng Bắc Kạn',
  topics: ['digital-transformation'],
});
const registered = event('TeacherRegistered', { teacherId: T, fullName: 'Hoàng Thị Lan' });
const other = event('TeacherRegistered', { teacherId: 'cdbk-018', fullName: 'Nông Văn Minh' });
const hire = (hiredOn: string) =>
  event('TeacherHired', {
    teacherId: T,
    unitId: 'cdbk',
    employment: 'permanent',
    hiredOn,
    levels: ['college'],
    mode: 'integrated',
  });
const hired = hire('2019-09-01');
const left = event('TeacherLeft', { teacherId: T, leftOn: '2022-01-01', reason: 'resigned' });
const enrolled = event('TeacherEnrolled', {
  teacherId: T,
  programmeId: 'dt-2025-01',
  enrolledOn: '2025-03-01',
});
const completed = event('CourseCompleted', {
  teacherId: T,
  programmeId: 'dt-2025-01',
  completedOn: '2025-05-12',
});
const degree = event('DegreeAwarded', {
  teacherId: T,
  degreeId: 'ths-1',
  level: 'master',
  field: 'Cơ khí',
  institution: 'Đại học Thái Nguyên',
  awardedOn: '2018-06-01',
});
const retract = (eventId: string, teacherId = T) =>
  event('EventRetracted', { teacherId, eventId, reason: 'data-entry error' });

describe('EventRetracted', () => {
  it('refuses an id that is not an event of that teacher’s stream', () => {
    given(cdbk, registered, hired)
      .when(retract('00000000-0000-4000-8000-0000000fffff'))
      .thenThrows(
        'retraction-invalid',
        'data.eventId: 00000000-0000-4000-8000-0000000fffff is not an event of teacher cdbk-017',
      );
    given(cdbk, registered, other)
      .when(retract(other.id))
      .thenThrows('retraction-invalid', 'is not an event of teacher');
  });

  it('refuses retracting a retraction, and retracting the same event twice', () => {
    const first = retract(degree.id);
    given(registered, degree, first)
      .when(retract(first.id))
      .thenThrows('retraction-invalid', 'is itself a retraction');
    given(registered, degree, first)
      .when(retract(degree.id))
      .thenThrows('retraction-invalid', 'is already retracted');
  });

  it('refuses a retraction that would leave a later event invalid, naming that event', () => {
    given(programme, registered, enrolled, completed)
      .when(retract(enrolled.id))
      .thenThrows(
        'retraction-invalid',
        `would leave the later event ${completed.id} (CourseCompleted) invalid: data.programmeId: teacher cdbk-017 has no enrolment`,
      );
    const rehired = hire('2022-02-01');
    given(cdbk, registered, hired, left, rehired)
      .when(retract(left.id))
      .thenThrows('retraction-invalid', `${rehired.id} (TeacherHired) invalid`);
    given(cdbk, registered, hired)
      .when(retract(registered.id))
      .thenThrows('retraction-invalid', 'is not registered');
  });

  it('accepts a retraction that leaves the stream valid', () => {
    given(programme, registered, enrolled, completed).when(retract(completed.id)).then();
    given(cdbk, registered, hired, left).when(retract(left.id)).then();
  });

  it('reopens the employment when the TeacherLeft is retracted (reading 3)', () => {
    const history = [cdbk, choDon, registered, hired, left, retract(left.id)];
    given(...history)
      .when(hire('2023-01-01'))
      .thenThrows('already-employed');
    given(...history)
      .when(
        event('TeacherTransferred', {
          teacherId: T,
          toUnitId: 'cho-don',
          effectiveOn: '2023-01-01',
        }),
      )
      .then();
  });

  it('forgets a retracted degree, so it can no longer be revoked', () => {
    given(registered, degree, retract(degree.id))
      .when(
        event('DegreeRevoked', {
          teacherId: T,
          degreeId: 'ths-1',
          revokedOn: '2025-01-01',
          reason: 'forged',
        }),
      )
      .thenThrows('not-found', 'has no degree ths-1');
  });

  it('refolds the same state incrementally as from the whole stream', () => {
    const stream = [registered, hired, degree, left, retract(left.id), retract(degree.id)];
    const lookup = {
      unit: (id: string) => (id === 'cdbk' ? {} : undefined),
      programmeExists: () => false,
      teacherHistory: () => stream,
    };
    let state = initialStateFor(registered);
    stream.forEach((e, i) => {
      expect(decide(state, e, { ...lookup, teacherHistory: () => stream.slice(0, i) }).ok).toBe(
        true,
      );
      state = evolve(state, e, stream.slice(0, i));
    });
    expect(state).toEqual(teacherStateFrom(stream));
    expect(state).toMatchObject({
      job: { unitId: 'cdbk', hiredOn: '2019-09-01' },
      lastLeftOn: undefined,
    });
    expect(state.kind === 'teacher' && state.degrees.size).toBe(0);
    expect(() => evolve(state, retract(hired.id))).toThrow('needs the stream history');
  });
});
