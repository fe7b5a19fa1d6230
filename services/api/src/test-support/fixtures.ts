import { randomUUID } from 'node:crypto';
import type { EventData, EventType } from '@nhagiao/domain';

export const envelope = <T extends EventType>(
  type: T,
  data: EventData<T>,
  id: string = randomUUID(),
) => ({
  id,
  type,
  data,
});

export const COLLEGE = 'cd-bac-kan';
export const CENTRE_A = 'ttgdnn-ba-be';
export const CENTRE_B = 'ttgdnn-na-ri';

/** Three units, a digital-transformation programme, and one permanent teacher at each unit. */
export const setupEvents = () => [
  envelope('UnitRegistered', {
    unitId: COLLEGE,
    name: 'Trường Cao đẳng Bắc Kạn',
    kind: 'college',
    area: 'bac-kan',
    registeredOn: '2010-01-01',
  }),
  envelope('UnitRegistered', {
    unitId: CENTRE_A,
    name: 'Trung tâm GDNN-GDTX Ba Bể',
    kind: 'vet-centre',
    area: 'ba-be',
    registeredOn: '2010-01-01',
  }),
  envelope('UnitRegistered', {
    unitId: CENTRE_B,
    name: 'Trung tâm GDNN-GDTX Na Rì',
    kind: 'vet-centre',
    area: 'na-ri',
    registeredOn: '2010-01-01',
  }),
  envelope('ProgrammeRegistered', {
    programmeId: 'cds-2025',
    title: 'Chuyển đổi số trong GDNN',
    provider: 'Sở GDĐT',
    topics: ['digital-transformation'],
  }),
  ...teacherAt('gv-college-1', COLLEGE, 'Nguyễn Văn An'),
  ...teacherAt('gv-b-1', CENTRE_B, 'Hoàng Thị Bình'),
];

export const teacherAt = (teacherId: string, unitId: string, fullName: string) => [
  envelope('TeacherRegistered', { teacherId, fullName }),
  envelope('TeacherHired', {
    teacherId,
    unitId,
    employment: 'permanent',
    hiredOn: '2020-09-01',
    levels: ['intermediate'],
    mode: 'integrated',
  }),
];
