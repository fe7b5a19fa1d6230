/** Envelopes for the ingest tests: every call gets a new id. */
let n = 0;
export const id = (): string => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
export const unit = (unitId: string, kind = 'vet-centre') => ({
  id: id(),
  type: 'UnitRegistered',
  data: {
    unitId,
    name: `Đơn vị ${unitId}`,
    kind,
    area: 'bk.ba-be',
    registeredOn: '2005-01-01',
  },
});
export const teacher = (teacherId: string) => ({
  id: id(),
  type: 'TeacherRegistered',
  data: { teacherId, fullName: 'Hoàng Thị Lan' },
});
export const hire = (teacherId: string, unitId: string, hiredOn = '2020-09-01') => ({
  id: id(),
  type: 'TeacherHired',
  data: {
    teacherId,
    unitId,
    employment: 'permanent',
    hiredOn,
    levels: ['elementary'],
    mode: 'practice',
  },
});
export const leave = (teacherId: string, leftOn: string) => ({
  id: id(),
  type: 'TeacherLeft',
  data: { teacherId, leftOn, reason: 'resigned' },
});

export const award = (teacherId: string, degreeId: string) => ({
  id: id(),
  type: 'DegreeAwarded',
  data: {
    teacherId,
    degreeId,
    level: 'master',
    field: 'Cơ khí',
    institution: 'Đại học Thái Nguyên',
    awardedOn: '2021-06-30',
  },
});
export const revoke = (teacherId: string, degreeId: string) => ({
  id: id(),
  type: 'DegreeRevoked',
  data: { teacherId, degreeId, revokedOn: '2024-01-15', reason: 'văn bằng không hợp lệ' },
});
export const programme = (programmeId: string) => ({
  id: id(),
  type: 'ProgrammeRegistered',
  data: {
    programmeId,
    title: 'Chuyển đổi số',
    provider: 'Sở GDĐT',
    topics: ['digital-transformation'],
  },
});
export const enrol = (teacherId: string, programmeId: string) => ({
  id: id(),
  type: 'TeacherEnrolled',
  data: { teacherId, programmeId, enrolledOn: '2024-03-01' },
});
export const complete = (teacherId: string, programmeId: string) => ({
  id: id(),
  type: 'CourseCompleted',
  data: { teacherId, programmeId, completedOn: '2024-04-01' },
});
