import type { Envelope } from '@nhagiao/domain';
import { certificate, degree, envelopes, hire, teacher, unit } from './edge-helpers.js';

/** Dates on which the histories below flip, asked with the day before. */
export const STANDARD_EDGE_DATES = [
  '2023-01-01', // ox-s14 hired at ox-late, registered only on 2024-06-01
  '2023-06-29', // ox-m2 merges into ox-c2 on 2023-06-30
  '2024-05-01', // ox-s12 hired and gone the same day
  '2024-05-31', // ox-s13's completion revoked on 2024-06-01
  '2024-06-01',
  '2024-10-01', // ox-s13 completes the programme again
  '2025-04-30', // ox-s8's pedagogical degree, ox-s9's revocation (later retracted)
  '2025-05-01',
  '2025-08-31', // ox-s9's revocation recorded after the retraction
  '2025-09-01',
] as const;

/**
 * Cells of the qualification standard and corrections that a generated dataset
 * rarely reaches, at a college of their own (ox-c2) so the figures of the other
 * edge units stay as the sanity test states them.
 */
export const standardEdges = (): { history: Envelope[]; corrections: Envelope[] } => {
  const ev = envelopes('0e0e0e0f');
  const at = (id: string, levels: Parameters<typeof hire>[4], mode: Parameters<typeof hire>[5]) => [
    teacher(ev, id),
    hire(ev, id, 'ox-c2', '2022-01-01', levels, mode),
  ];
  const vet = (id: string) => certificate(ev, id, `${id}-nvsp`, 'pedagogy-vet', '2021-01-01');

  const s9Revoked = ev('DegreeRevoked', {
    teacherId: 'ox-s9',
    degreeId: 'ox-s9-ths',
    revokedOn: '2025-05-01',
    reason: 'Không được công nhận',
  });
  const s10Revoked = ev('CertificateRevoked', {
    teacherId: 'ox-s10',
    certificateId: 'ox-s10-nvsp',
    revokedOn: '2025-09-30',
    reason: 'Nhập nhầm',
  });

  const history: Envelope[] = [
    unit(ev, 'ox-c2', 'college', 'ox.b1'),
    unit(ev, 'ox-m2', 'other', 'ox.b2'),
    ev('UnitMerged', { unitId: 'ox-m2', intoUnitId: 'ox-c2', effectiveOn: '2023-06-30' }),
    ev('ProgrammeRegistered', {
      programmeId: 'ox-p3',
      title: 'Kiểm định chất lượng và chuẩn đầu ra',
      provider: 'Sở GDĐT',
      topics: ['quality-accreditation', 'curriculum-outcomes'],
    }),

    // College practice: national skill 2 is not enough, nor an intermediate degree.
    ...at('ox-s1', ['college'], 'practice'),
    certificate(ev, 'ox-s1', 'ox-s1-kn', 'national-skill', '2020-01-01', { level: 2 }),
    degree(ev, 'ox-s1', 'ox-s1-tc', 'intermediate', '2015-01-01'),
    vet('ox-s1'),
    // Intermediate practice: national skill 2 is enough.
    ...at('ox-s2', ['intermediate'], 'practice'),
    certificate(ev, 'ox-s2', 'ox-s2-kn', 'national-skill', '2020-01-01', { level: 2 }),
    degree(ev, 'ox-s2', 'ox-s2-sc', 'elementary', '2015-01-01'),
    vet('ox-s2'),
    ev('TeacherEnrolled', { teacherId: 'ox-s2', programmeId: 'ox-p3', enrolledOn: '2024-10-01' }),
    ev('CourseCompleted', { teacherId: 'ox-s2', programmeId: 'ox-p3', completedOn: '2024-11-01' }),
    // Elementary practice: an honorary title does not meet it (reading 9) …
    ...at('ox-s3', ['elementary'], 'practice'),
    certificate(ev, 'ox-s3', 'ox-s3-ngiu', 'honorary-title', '2020-01-01'),
    certificate(ev, 'ox-s3', 'ox-s3-sc', 'pedagogy-elementary', '2020-01-01'),
    // … nor a practice licence.
    ...at('ox-s4', ['elementary'], 'practice'),
    certificate(ev, 'ox-s4', 'ox-s4-cchn', 'practice-licence', '2020-01-01'),
    certificate(ev, 'ox-s4', 'ox-s4-sc', 'pedagogy-elementary', '2020-01-01'),
    // College practice met by a college degree alone.
    ...at('ox-s5', ['college'], 'practice'),
    degree(ev, 'ox-s5', 'ox-s5-cd', 'college', '2015-01-01'),
    vet('ox-s5'),
    // Two levels: elementary pedagogy does not cover the college level.
    ...at('ox-s6', ['college', 'elementary'], 'integrated'),
    degree(ev, 'ox-s6', 'ox-s6-dh', 'bachelor', '2015-01-01'),
    certificate(ev, 'ox-s6', 'ox-s6-kn', 'national-skill', '2020-01-01', { level: 3 }),
    certificate(ev, 'ox-s6', 'ox-s6-sc', 'pedagogy-elementary', '2020-01-01'),
    // A "pedagogical" intermediate degree is not a pedagogical degree.
    ...at('ox-s7', ['intermediate'], 'theory'),
    degree(ev, 'ox-s7', 'ox-s7-tc', 'intermediate', '2012-01-01', true),
    degree(ev, 'ox-s7', 'ox-s7-dh', 'bachelor', '2015-01-01', false),
    // A pedagogical college degree dated after the hire, recorded now.
    ...at('ox-s8', ['elementary'], 'theory'),
    degree(ev, 'ox-s8', 'ox-s8-tc', 'intermediate', '2015-01-01'),
    degree(ev, 'ox-s8', 'ox-s8-cd', 'college', '2025-05-01', true),
    // A master revoked, the revocation retracted and a later one recorded; a college degree remains.
    ...at('ox-s9', ['intermediate'], 'theory'),
    degree(ev, 'ox-s9', 'ox-s9-cd', 'college', '2010-01-01'),
    degree(ev, 'ox-s9', 'ox-s9-ths', 'master', '2016-01-01'),
    vet('ox-s9'),
    s9Revoked,
    // A pedagogy certificate revoked (the revocation retracted later).
    ...at('ox-s10', ['college'], 'theory'),
    degree(ev, 'ox-s10', 'ox-s10-dh', 'bachelor', '2015-01-01'),
    vet('ox-s10'),
    s10Revoked,
    // A transfer into a unit already merged away counts under the into-unit.
    ...at('ox-s11', ['college'], 'theory'),
    degree(ev, 'ox-s11', 'ox-s11-ths', 'master', '2015-01-01'),
    ev('TeacherTransferred', { teacherId: 'ox-s11', toUnitId: 'ox-m2', effectiveOn: '2024-02-01' }),
    // A leave on the hire date: the employment covers no day.
    teacher(ev, 'ox-s12'),
    hire(ev, 'ox-s12', 'ox-c2', '2024-05-01', ['college'], 'theory'),
    degree(ev, 'ox-s12', 'ox-s12-ths', 'master', '2015-01-01'),
    ev('TeacherLeft', { teacherId: 'ox-s12', leftOn: '2024-05-01', reason: 'other' }),
    // A completion revoked, then the programme done again.
    ...at('ox-s13', ['college'], 'theory'),
    ev('TeacherEnrolled', { teacherId: 'ox-s13', programmeId: 'ox-p3', enrolledOn: '2024-02-01' }),
    ev('CourseCompleted', { teacherId: 'ox-s13', programmeId: 'ox-p3', completedOn: '2024-03-01' }),
    ev('CourseCompletionRevoked', {
      teacherId: 'ox-s13',
      programmeId: 'ox-p3',
      revokedOn: '2024-06-01',
      reason: 'Không đủ thời lượng',
    }),
    ev('TeacherEnrolled', { teacherId: 'ox-s13', programmeId: 'ox-p3', enrolledOn: '2024-09-01' }),
    ev('CourseCompleted', { teacherId: 'ox-s13', programmeId: 'ox-p3', completedOn: '2024-10-01' }),
    // A unit registered after its teacher's hire date still counts them.
    unit(ev, 'ox-late', 'vet-centre', 'ox.b3', '2024-06-01'),
    teacher(ev, 'ox-s14'),
    hire(ev, 'ox-s14', 'ox-late', '2023-01-01', ['elementary'], 'theory'),
    degree(ev, 'ox-s14', 'ox-s14-ths', 'master', '2015-01-01'),
  ];

  const corrections: Envelope[] = [
    ev('EventRetracted', { teacherId: 'ox-s9', eventId: s9Revoked.id, reason: 'Nhập nhầm' }),
    ev('DegreeRevoked', {
      teacherId: 'ox-s9',
      degreeId: 'ox-s9-ths',
      revokedOn: '2025-09-01',
      reason: 'Không được công nhận',
    }),
    ev('EventRetracted', { teacherId: 'ox-s10', eventId: s10Revoked.id, reason: 'Nhập nhầm' }),
    // Drops a topic: ox-s2 and ox-s13 stop counting for quality accreditation.
    ev('ProgrammeTopicsCorrected', {
      programmeId: 'ox-p3',
      topics: ['curriculum-outcomes'],
      reason: 'Không có nội dung kiểm định',
    }),
    // A merge and an area change recorded late, effective in the past.
    ev('UnitMerged', { unitId: 'ox-late', intoUnitId: 'ox-c2', effectiveOn: '2024-12-31' }),
    ev('UnitAreaChanged', { unitId: 'ox-c2', area: 'ox.b9', effectiveOn: '2024-01-01' }),
  ];
  return { history, corrections };
};
