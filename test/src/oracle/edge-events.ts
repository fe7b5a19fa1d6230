import type { Envelope } from '@nhagiao/domain';
import { certificate, degree, envelopes, teacher, unit } from './edge-helpers.js';
import { standardEdges } from './edge-standard.js';

/**
 * Hand-written histories on the forks of docs/indicators.md § Readings, on units of their own so
 * they add to a generated dataset without touching it. The dates below are the
 * days on which each rule flips; the test asks for them and the day before.
 */
export const EDGE_DATES = [
  '2020-06-30', // ox-t7 between a leave and the rehire
  '2023-12-31', // ox-t4's completion, one day before countFrom
  '2024-01-01',
  '2024-06-29', // ox-prv merges into ox-ctr on 2024-06-30
  '2024-06-30',
  '2025-03-30', // ox-ctr merges into ox-col, ox-t2's completion revoked on 2025-03-31
  '2025-03-31',
  '2025-06-29', // ox-t1's master revoked on 2025-06-30
  '2025-06-30',
  '2025-07-01', // the generated dataset's reorganisation
  '2025-09-29', // ox-t2's practice licence expires on 2025-09-30; ox-col's area changes
  '2025-09-30',
  '2026-03-30', // ox-t5 leaves on 2026-03-31
  '2026-03-31',
] as const;

/** The edge events in two batches: history, then the late corrections (so a known-at can fall between). */
export const edgeEvents = (): { history: Envelope[]; corrections: Envelope[] } => {
  const ev = envelopes('0e0e0e0e');
  const t3Left = ev('TeacherLeft', {
    teacherId: 'ox-t3',
    leftOn: '2024-03-31',
    reason: 'resigned',
  });
  const t7Left = ev('TeacherLeft', { teacherId: 'ox-t7', leftOn: '2020-01-01', reason: 'other' });

  const history: Envelope[] = [
    unit(ev, 'ox-col', 'college', 'ox.a1'),
    unit(ev, 'ox-ctr', 'vet-centre', 'ox.a2'),
    unit(ev, 'ox-prv', 'private', 'ox.a3'),
    ev('ProgrammeRegistered', {
      programmeId: 'ox-p1',
      title: 'Bồi dưỡng nghiệp vụ sư phạm',
      provider: 'Sở GDĐT',
      topics: ['pedagogy'],
    }),
    ev('ProgrammeRegistered', {
      programmeId: 'ox-p2',
      title: 'Chuyển đổi số trong GDNN',
      provider: 'Sở GDĐT',
      topics: ['digital-transformation'],
    }),

    // ox-t1: a private-centre teacher who reaches the college through a merge chain.
    teacher(ev, 'ox-t1'),
    ev('TeacherHired', {
      teacherId: 'ox-t1',
      unitId: 'ox-prv',
      employment: 'permanent',
      hiredOn: '2020-01-01',
      levels: ['college'],
      mode: 'integrated',
    }),
    degree(ev, 'ox-t1', 'ox-t1-d1', 'bachelor', '2015-06-01', true),
    degree(ev, 'ox-t1', 'ox-t1-d2', 'master', '2023-05-01'),
    certificate(ev, 'ox-t1', 'ox-t1-ns', 'national-skill', '2019-01-01', { level: 3 }),
    ev('TeacherEnrolled', { teacherId: 'ox-t1', programmeId: 'ox-p1', enrolledOn: '2024-04-01' }),
    ev('CourseCompleted', { teacherId: 'ox-t1', programmeId: 'ox-p1', completedOn: '2024-05-01' }),

    // ox-t2: practice at intermediate level met only by a licence that expires.
    teacher(ev, 'ox-t2'),
    degree(ev, 'ox-t2', 'ox-t2-d1', 'intermediate', '2010-06-01'),
    certificate(ev, 'ox-t2', 'ox-t2-cchn', 'practice-licence', '2020-09-30', {
      expiresOn: '2025-09-30',
    }),
    certificate(ev, 'ox-t2', 'ox-t2-nvsp', 'pedagogy-vet', '2021-01-01'),
    ev('TeacherHired', {
      teacherId: 'ox-t2',
      unitId: 'ox-col',
      employment: 'permanent',
      hiredOn: '2021-02-01',
      levels: ['intermediate'],
      mode: 'practice',
    }),
    ev('TeacherEnrolled', { teacherId: 'ox-t2', programmeId: 'ox-p2', enrolledOn: '2024-07-01' }),
    ev('CourseCompleted', { teacherId: 'ox-t2', programmeId: 'ox-p2', completedOn: '2024-08-01' }),
    ev('CourseCompletionRevoked', {
      teacherId: 'ox-t2',
      programmeId: 'ox-p2',
      revokedOn: '2025-03-31',
      reason: 'Không đủ thời lượng',
    }),

    // ox-t3: a leave entered by mistake, retracted later.
    teacher(ev, 'ox-t3'),
    ev('TeacherHired', {
      teacherId: 'ox-t3',
      unitId: 'ox-ctr',
      employment: 'permanent',
      hiredOn: '2019-03-01',
      levels: ['elementary'],
      mode: 'theory',
    }),
    degree(ev, 'ox-t3', 'ox-t3-d1', 'college', '2018-06-01'),
    certificate(ev, 'ox-t3', 'ox-t3-sc', 'pedagogy-elementary', '2019-01-01'),
    t3Left,

    // ox-t4: visiting, then a rehire as permanent with its own levels and mode.
    teacher(ev, 'ox-t4'),
    certificate(ev, 'ox-t4', 'ox-t4-ns', 'national-skill', '2017-01-01', { level: 1 }),
    certificate(ev, 'ox-t4', 'ox-t4-sc', 'pedagogy-elementary', '2017-01-01'),
    ev('TeacherHired', {
      teacherId: 'ox-t4',
      unitId: 'ox-ctr',
      employment: 'visiting',
      hiredOn: '2018-01-01',
      levels: ['intermediate'],
      mode: 'theory',
    }),
    ev('TeachingAssignmentChanged', {
      teacherId: 'ox-t4',
      levels: ['college'],
      mode: 'integrated',
      effectiveOn: '2020-01-01',
    }),
    ev('TeacherLeft', { teacherId: 'ox-t4', leftOn: '2022-06-30', reason: 'contract-ended' }),
    ev('TeacherHired', {
      teacherId: 'ox-t4',
      unitId: 'ox-col',
      employment: 'permanent',
      hiredOn: '2023-01-01',
      levels: ['elementary'],
      mode: 'practice',
    }),
    ev('TeacherEnrolled', { teacherId: 'ox-t4', programmeId: 'ox-p2', enrolledOn: '2023-12-01' }),
    ev('CourseCompleted', { teacherId: 'ox-t4', programmeId: 'ox-p2', completedOn: '2023-12-31' }),

    // The merge chain: ox-prv → ox-ctr (2024-06-30) → ox-col (2025-03-31).
    ev('UnitMerged', { unitId: 'ox-prv', intoUnitId: 'ox-ctr', effectiveOn: '2024-06-30' }),
    ev('UnitMerged', { unitId: 'ox-ctr', intoUnitId: 'ox-col', effectiveOn: '2025-03-31' }),

    // ox-t5: hired into a unit merged away twice already; its master is recorded late.
    teacher(ev, 'ox-t5'),
    ev('TeacherHired', {
      teacherId: 'ox-t5',
      unitId: 'ox-prv',
      employment: 'permanent',
      hiredOn: '2025-06-01',
      levels: ['college'],
      mode: 'theory',
    }),
    ev('TeacherLeft', { teacherId: 'ox-t5', leftOn: '2026-03-31', reason: 'retired' }),
    degree(ev, 'ox-t5', 'ox-t5-d1', 'master', '2012-01-01', true),

    // ox-t7: a leave and a rehire at the same unit (the leave cannot be retracted after the rehire).
    teacher(ev, 'ox-t7'),
    ev('TeacherHired', {
      teacherId: 'ox-t7',
      unitId: 'ox-ctr',
      employment: 'permanent',
      hiredOn: '2015-01-01',
      levels: ['intermediate'],
      mode: 'theory',
    }),
    degree(ev, 'ox-t7', 'ox-t7-d1', 'master', '2014-01-01'),
    t7Left,
    ev('TeacherHired', {
      teacherId: 'ox-t7',
      unitId: 'ox-ctr',
      employment: 'permanent',
      hiredOn: '2021-01-01',
      levels: ['intermediate'],
      mode: 'theory',
    }),
  ];

  const corrections: Envelope[] = [
    ev('DegreeRevoked', {
      teacherId: 'ox-t1',
      degreeId: 'ox-t1-d2',
      revokedOn: '2025-06-30',
      reason: 'Không được công nhận',
    }),
    ev('EventRetracted', { teacherId: 'ox-t3', eventId: t3Left.id, reason: 'Nhập nhầm' }),
    ev('ProgrammeTopicsCorrected', {
      programmeId: 'ox-p1',
      topics: ['pedagogy', 'digital-materials'],
      reason: 'Thiếu chủ đề học liệu số',
    }),
    ev('UnitAreaChanged', { unitId: 'ox-col', area: 'ox.a9', effectiveOn: '2025-09-30' }),
  ];
  const standard = standardEdges();
  return {
    history: [...history, ...standard.history],
    corrections: [...corrections, ...standard.corrections],
  };
};
