import type { Envelope, EventData, EventType } from '@nhagiao/domain';

/** An envelope factory whose ids are UUID-shaped, start with `prefix` (8 hex digits) and count up. */
export const envelopes = (prefix: string) => {
  let counter = 0;
  return <T extends EventType>(type: T, data: EventData<T>): Envelope =>
    ({
      id: `${prefix}-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
      type,
      data,
    }) as Envelope;
};

type Ev = ReturnType<typeof envelopes>;

export const unit = (
  ev: Ev,
  unitId: string,
  kind: EventData<'UnitRegistered'>['kind'],
  area: string,
  registeredOn = '2010-01-01',
): Envelope => ev('UnitRegistered', { unitId, name: `Đơn vị ${unitId}`, kind, area, registeredOn });

export const teacher = (ev: Ev, teacherId: string): Envelope =>
  ev('TeacherRegistered', { teacherId, fullName: `Giáo viên ${teacherId}` });

export const hire = (
  ev: Ev,
  teacherId: string,
  unitId: string,
  hiredOn: string,
  levels: EventData<'TeacherHired'>['levels'],
  mode: EventData<'TeacherHired'>['mode'],
  employment: EventData<'TeacherHired'>['employment'] = 'permanent',
): Envelope => ev('TeacherHired', { teacherId, unitId, employment, hiredOn, levels, mode });

export const degree = (
  ev: Ev,
  teacherId: string,
  degreeId: string,
  level: EventData<'DegreeAwarded'>['level'],
  awardedOn: string,
  pedagogical?: boolean,
): Envelope =>
  ev('DegreeAwarded', {
    teacherId,
    degreeId,
    level,
    field: 'Cơ khí',
    institution: 'Trường Đại học Sư phạm Kỹ thuật',
    awardedOn,
    ...(pedagogical === undefined ? {} : { pedagogical }),
  });

export const certificate = (
  ev: Ev,
  teacherId: string,
  certificateId: string,
  kind: EventData<'CertificateIssued'>['kind'],
  issuedOn: string,
  extra: { level?: number; expiresOn?: string } = {},
): Envelope => ev('CertificateIssued', { teacherId, certificateId, kind, issuedOn, ...extra });
