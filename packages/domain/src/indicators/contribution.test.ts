import type { RecordedEvent } from '../events/recorded.js';
import type { EventData, EventType } from '../events/schemas.js';
import type { Topic } from '../events/vocabulary.js';
import { foldTeacherFacts } from '../facts/fold.js';
import { createLedgerProjection } from '../ledger/projection.js';
import { PLAN_423, recorder } from '../ledger/test-support/events.js';
import { computeContribution } from './contribution.js';
import { contributionAt } from './step.js';

type Step = { [K in EventType]: [K, Omit<EventData<K>, 'teacherId'> | EventData<K>] }[EventType];

const T = 't1';
const hire = (hiredOn: string, over: Partial<EventData<'TeacherHired'>> = {}): Step => [
  'TeacherHired',
  {
    unitId: 'cdbk',
    employment: 'permanent',
    hiredOn,
    levels: ['college'],
    mode: 'theory',
    ...over,
  },
];
const left = (leftOn: string): Step => ['TeacherLeft', { leftOn, reason: 'resigned' }];
const degree = (
  degreeId: string,
  level: EventData<'DegreeAwarded'>['level'],
  awardedOn: string,
  pedagogical?: boolean,
): Step => [
  'DegreeAwarded',
  {
    degreeId,
    level,
    field: 'Kỹ thuật',
    institution: 'ĐH Thái Nguyên',
    awardedOn,
    ...(pedagogical === undefined ? {} : { pedagogical }),
  },
];
const cert = (
  certificateId: string,
  kind: EventData<'CertificateIssued'>['kind'],
  issuedOn: string,
  more: { level?: number; expiresOn?: string } = {},
): Step => ['CertificateIssued', { certificateId, kind, issuedOn, ...more }];
const programme = (programmeId: string, topics: Topic[]): Step => [
  'ProgrammeRegistered',
  { programmeId, title: 'Bồi dưỡng', provider: 'Sở LĐTBXH', topics },
];
const completed = (programmeId: string, enrolledOn: string, completedOn: string): Step[] => [
  ['TeacherEnrolled', { programmeId, enrolledOn }],
  ['CourseCompleted', { programmeId, completedOn }],
];
const QUALIFIED = [
  degree('b1', 'bachelor', '2015-06-01'),
  cert('v1', 'pedagogy-vet', '2016-01-01'),
];

/** Records the steps; `retract: n` retracts the n-th event recorded (1-based). */
const record = (steps: (Step | { retract: number })[]): RecordedEvent[] => {
  const r = recorder();
  const out: RecordedEvent[] = [];
  for (const s of steps) {
    if ('retract' in s) {
      const target = out[s.retract - 1]!;
      out.push(r('EventRetracted', { teacherId: T, eventId: target.id, reason: 'nhập nhầm' }));
    } else {
      const [type, data] = s;
      const full =
        type === 'ProgrammeRegistered' || type === 'ProgrammeTopicsCorrected'
          ? data
          : { teacherId: T, ...data };
      out.push(r(type, full as never));
    }
  }
  return out;
};

type Expect = Record<string, [unit: string, numerator: number, denominator: number] | null>;

/** Both ways: from the whole history at once, and as the sum of the ledger rows projected event by event. */
const valuesAt = (events: RecordedEvent[], date: string) => {
  const topics = new Map<string, readonly Topic[]>();
  for (const e of events)
    if (e.type === 'ProgrammeRegistered' || e.type === 'ProgrammeTopicsCorrected')
      topics.set(e.data.programmeId, e.data.topics);
  const teacherEvents = events.filter((e) => e.stream === `teacher-${T}`);
  const whole = contributionAt(
    computeContribution(foldTeacherFacts(T, teacherEvents), PLAN_423, (p) => topics.get(p)),
    date,
  );
  const ledger = createLedgerProjection(PLAN_423);
  const sums = new Map<string, [string, number, number]>();
  for (const e of events)
    for (const row of ledger.project(e)) {
      if (row.validFrom > date) continue;
      const key = `${row.indicator}|${row.unitId}`;
      const s = sums.get(key) ?? [row.unitId, 0, 0];
      sums.set(key, [s[0], s[1] + row.dNumerator, s[2] + row.dDenominator]);
    }
  const fromWhole: Record<string, [string, number, number]> = {};
  for (const v of whole)
    fromWhole[`${v.indicator}|${v.unitId}`] = [v.unitId, v.numerator, v.denominator];
  const fromLedger: Record<string, [string, number, number]> = {};
  for (const [k, v] of sums) if (v[1] !== 0 || v[2] !== 0) fromLedger[k] = v;
  return { fromWhole, fromLedger };
};

const check = (events: RecordedEvent[], date: string, expected: Expect) => {
  const { fromWhole, fromLedger } = valuesAt(events, date);
  expect(fromLedger).toEqual(fromWhole);
  for (const [indicator, want] of Object.entries(expected)) {
    const got = Object.entries(fromWhole).filter(([k]) => k.startsWith(`${indicator}|`));
    if (want === null) expect(got).toEqual([]);
    else expect(got).toEqual([[`${indicator}|${want[0]}`, want]]);
  }
};

const M = 'master-or-above';
const Q = 'college-lecturers-qualified';
const CO = 'trained-curriculum-outcomes';
const DT = 'trained-digital-transformation';

describe('a teacher’s contribution to the plan 423 indicators', () => {
  it.each<[string, (Step | { retract: number })[], string, Expect]>([
    [
      'hired on the as-of date: counted',
      [hire('2025-03-01')],
      '2025-03-01',
      { [M]: ['cdbk', 0, 1] },
    ],
    ['the day before the hire: not counted', [hire('2025-03-01')], '2025-02-28', { [M]: null }],
    [
      'leaving on the as-of date: not counted',
      [hire('2020-01-01'), left('2025-06-30')],
      '2025-06-30',
      { [M]: null, [Q]: null },
    ],
    [
      'the day before leaving: counted',
      [hire('2020-01-01'), left('2025-06-30')],
      '2025-06-29',
      { [M]: ['cdbk', 0, 1] },
    ],
    [
      'a visiting teacher is not counted',
      [hire('2020-01-01', { employment: 'visiting' }), degree('m', 'master', '2019-01-01')],
      '2025-01-01',
      { [M]: null, [Q]: null },
    ],
    [
      'a master awarded on the date counts that day',
      [hire('2020-01-01'), degree('m', 'master', '2025-05-05')],
      '2025-05-05',
      { [M]: ['cdbk', 1, 1] },
    ],
    [
      'a master awarded the next day does not',
      [hire('2020-01-01'), degree('m', 'master', '2025-05-06')],
      '2025-05-05',
      { [M]: ['cdbk', 0, 1] },
    ],
    [
      'a doctorate counts as master or above',
      [hire('2020-01-01'), degree('d', 'doctorate', '2021-01-01')],
      '2025-01-01',
      { [M]: ['cdbk', 1, 1] },
    ],
    [
      'a bachelor does not',
      [hire('2020-01-01'), degree('b', 'bachelor', '2010-01-01')],
      '2025-01-01',
      { [M]: ['cdbk', 0, 1] },
    ],
    [
      'a degree awarded before the hire counts from the hire',
      [degree('m', 'master', '2018-01-01'), hire('2020-01-01')],
      '2020-01-01',
      { [M]: ['cdbk', 1, 1] },
    ],
    [
      'a master revoked on the date is not held that day',
      [
        hire('2020-01-01'),
        degree('m', 'master', '2021-01-01'),
        ['DegreeRevoked', { degreeId: 'm', revokedOn: '2025-04-01', reason: 'giả mạo' }],
      ],
      '2025-04-01',
      { [M]: ['cdbk', 0, 1] },
    ],
    [
      'a master revoked tomorrow is still held',
      [
        hire('2020-01-01'),
        degree('m', 'master', '2021-01-01'),
        ['DegreeRevoked', { degreeId: 'm', revokedOn: '2025-04-01', reason: 'giả mạo' }],
      ],
      '2025-03-31',
      { [M]: ['cdbk', 1, 1] },
    ],
    [
      'a revoked doctorate leaves the master to decide',
      [
        hire('2020-01-01'),
        degree('m', 'master', '2019-01-01'),
        degree('d', 'doctorate', '2022-01-01'),
        ['DegreeRevoked', { degreeId: 'd', revokedOn: '2023-01-01', reason: 'x' }],
      ],
      '2025-01-01',
      { [M]: ['cdbk', 1, 1] },
    ],
    [
      'a revoked bachelor leaves the college degree to decide the standard',
      [
        hire('2020-01-01'),
        degree('c', 'college', '2012-01-01'),
        degree('b', 'bachelor', '2015-01-01'),
        cert('v', 'pedagogy-vet', '2016-01-01'),
        ['DegreeRevoked', { degreeId: 'b', revokedOn: '2024-01-01', reason: 'x' }],
      ],
      '2025-01-01',
      { [Q]: ['cdbk', 0, 1] },
    ],
    [
      'a degree recorded late (after the leave) counts while employed',
      [hire('2020-01-01'), left('2024-01-01'), degree('m', 'master', '2022-01-01')],
      '2023-01-01',
      { [M]: ['cdbk', 1, 1] },
    ],
    [
      'the standard is met with a bachelor and pedagogy-vet',
      [hire('2020-01-01'), ...QUALIFIED],
      '2025-12-31',
      { [Q]: ['cdbk', 1, 1] },
    ],
    [
      'a certificate expiring on the date is not held',
      [
        hire('2020-01-01'),
        degree('b', 'bachelor', '2015-01-01'),
        cert('v', 'pedagogy-vet', '2016-01-01', { expiresOn: '2025-12-31' }),
      ],
      '2025-12-31',
      { [Q]: ['cdbk', 0, 1] },
    ],
    [
      'a certificate expiring tomorrow is held',
      [
        hire('2020-01-01'),
        degree('b', 'bachelor', '2015-01-01'),
        cert('v', 'pedagogy-vet', '2016-01-01', { expiresOn: '2026-01-01' }),
      ],
      '2025-12-31',
      { [Q]: ['cdbk', 1, 1] },
    ],
    [
      'a certificate revoked on the date is not held',
      [
        hire('2020-01-01'),
        ...QUALIFIED,
        ['CertificateRevoked', { certificateId: 'v1', revokedOn: '2025-12-31', reason: 'x' }],
      ],
      '2025-12-31',
      { [Q]: ['cdbk', 0, 1] },
    ],
    [
      'an assignment change to practice is judged on practice',
      [
        hire('2020-01-01'),
        ...QUALIFIED,
        [
          'TeachingAssignmentChanged',
          { levels: ['college'], mode: 'practice', effectiveOn: '2024-09-01' },
        ],
        degree('x', 'intermediate', '2010-01-01'),
      ],
      '2025-01-01',
      { [Q]: ['cdbk', 1, 1] },
    ],
    [
      'an assignment to elementary practice is not met by a practice licence (reading 9)',
      [
        hire('2020-01-01', { levels: ['elementary'], mode: 'practice' }),
        cert('l', 'practice-licence', '2019-01-01'),
        cert('p', 'pedagogy-elementary', '2019-01-01'),
      ],
      '2025-01-01',
      { [Q]: ['cdbk', 0, 1] },
    ],
    [
      'a transfer moves the teacher from its effective date',
      [
        hire('2020-01-01'),
        ['TeacherTransferred', { toUnitId: 'ttgdnn-cho-don', effectiveOn: '2024-09-01' }],
      ],
      '2024-09-01',
      { [M]: ['ttgdnn-cho-don', 0, 1] },
    ],
    [
      'before the transfer the teacher stays at the old unit',
      [
        hire('2020-01-01'),
        ['TeacherTransferred', { toUnitId: 'ttgdnn-cho-don', effectiveOn: '2024-09-01' }],
      ],
      '2024-08-31',
      { [M]: ['cdbk', 0, 1] },
    ],
    [
      'a rehire is judged on its own levels and mode (reading 7)',
      [
        hire('2015-01-01', { levels: ['intermediate'], mode: 'practice' }),
        cert('n', 'national-skill', '2014-01-01', { level: 2 }),
        cert('v', 'pedagogy-vet', '2014-01-01'),
        left('2020-01-01'),
        hire('2021-01-01', { unitId: 'ttgdnn-ba-be', levels: ['college'], mode: 'practice' }),
      ],
      '2022-01-01',
      { [Q]: ['ttgdnn-ba-be', 0, 1] },
    ],
    [
      'the first employment met the standard on its own assignment',
      [
        hire('2015-01-01', { levels: ['intermediate'], mode: 'practice' }),
        cert('n', 'national-skill', '2014-01-01', { level: 2 }),
        cert('v', 'pedagogy-vet', '2014-01-01'),
        left('2020-01-01'),
        hire('2021-01-01', { unitId: 'ttgdnn-ba-be', levels: ['college'], mode: 'practice' }),
      ],
      '2019-01-01',
      { [Q]: ['cdbk', 1, 1] },
    ],
    [
      'between two employments: not counted',
      [hire('2015-01-01'), left('2020-01-01'), hire('2021-01-01')],
      '2020-06-01',
      { [M]: null },
    ],
    [
      'a retracted leave reopens the employment',
      [hire('2020-01-01'), left('2024-01-01'), { retract: 2 }],
      '2025-01-01',
      { [M]: ['cdbk', 0, 1] },
    ],
    [
      'a retracted hire removes the teacher',
      [hire('2020-01-01'), { retract: 1 }],
      '2025-01-01',
      { [M]: null },
    ],
    [
      'a completion on the topic counts',
      [
        programme('p', ['curriculum-outcomes']),
        hire('2020-01-01'),
        ...completed('p', '2024-03-01', '2024-05-01'),
      ],
      '2025-12-31',
      { [CO]: ['cdbk', 1, 1], [DT]: ['cdbk', 0, 1] },
    ],
    [
      'a completion before countFrom does not',
      [
        programme('p', ['curriculum-outcomes']),
        hire('2020-01-01'),
        ...completed('p', '2023-11-01', '2023-12-31'),
      ],
      '2025-12-31',
      { [CO]: ['cdbk', 0, 1] },
    ],
    [
      'a completion on countFrom does',
      [
        programme('p', ['curriculum-outcomes']),
        hire('2020-01-01'),
        ...completed('p', '2023-11-01', '2024-01-01'),
      ],
      '2024-01-01',
      { [CO]: ['cdbk', 1, 1] },
    ],
    [
      'a completion after the date does not yet',
      [
        programme('p', ['curriculum-outcomes']),
        hire('2020-01-01'),
        ...completed('p', '2024-03-01', '2024-05-01'),
      ],
      '2024-04-30',
      { [CO]: ['cdbk', 0, 1] },
    ],
    [
      'a completion before the hire counts once employed (reading 6)',
      [
        programme('p', ['curriculum-outcomes']),
        ...completed('p', '2024-01-01', '2024-02-01'),
        hire('2024-06-01'),
      ],
      '2024-06-01',
      { [CO]: ['cdbk', 1, 1] },
    ],
    [
      'a completion revoked on the date does not count',
      [
        programme('p', ['curriculum-outcomes']),
        hire('2020-01-01'),
        ...completed('p', '2024-03-01', '2024-05-01'),
        ['CourseCompletionRevoked', { programmeId: 'p', revokedOn: '2025-01-01', reason: 'x' }],
      ],
      '2025-01-01',
      { [CO]: ['cdbk', 0, 1] },
    ],
    [
      'a completion revoked tomorrow still counts',
      [
        programme('p', ['curriculum-outcomes']),
        hire('2020-01-01'),
        ...completed('p', '2024-03-01', '2024-05-01'),
        ['CourseCompletionRevoked', { programmeId: 'p', revokedOn: '2025-01-01', reason: 'x' }],
      ],
      '2024-12-31',
      { [CO]: ['cdbk', 1, 1] },
    ],
    [
      'topics corrected: the new topics count for every date',
      [
        programme('p', ['other']),
        hire('2020-01-01'),
        ...completed('p', '2024-03-01', '2024-05-01'),
        [
          'ProgrammeTopicsCorrected',
          { programmeId: 'p', topics: ['digital-transformation'], reason: 'nhầm' },
        ],
      ],
      '2024-06-01',
      { [CO]: ['cdbk', 0, 1], [DT]: ['cdbk', 1, 1] },
    ],
    [
      'topics corrected away: no longer counts',
      [
        programme('p', ['curriculum-outcomes']),
        hire('2020-01-01'),
        ...completed('p', '2024-03-01', '2024-05-01'),
        ['ProgrammeTopicsCorrected', { programmeId: 'p', topics: ['management'], reason: 'nhầm' }],
      ],
      '2025-01-01',
      { [CO]: ['cdbk', 0, 1] },
    ],
    [
      'a retracted completion does not count',
      [
        programme('p', ['curriculum-outcomes']),
        hire('2020-01-01'),
        ...completed('p', '2024-03-01', '2024-05-01'),
        { retract: 4 },
      ],
      '2025-01-01',
      { [CO]: ['cdbk', 0, 1] },
    ],
  ])('%s', (_name, steps, date, expected) => {
    check(record(steps), date, expected);
  });

  it('writes the standard denominator for every permanent teacher, whatever the unit kind', () => {
    // Kind is mapped at query time by the read model, so a centre teacher has a row too.
    check(record([hire('2020-01-01', { unitId: 'ttgdnn-ngan-son' })]), '2025-01-01', {
      [Q]: ['ttgdnn-ngan-son', 0, 1],
    });
  });

  it('gives the change points of the step function, sorted', () => {
    const events = record([
      hire('2020-01-01'),
      degree('m', 'master', '2022-03-01'),
      left('2024-07-01'),
    ]);
    const c = computeContribution(
      foldTeacherFacts(T, events),
      PLAN_423.slice(0, 1),
      () => undefined,
    );
    expect(c).toEqual([
      {
        indicator: M,
        unitId: 'cdbk',
        points: [
          { from: '2020-01-01', numerator: 0, denominator: 1 },
          { from: '2022-03-01', numerator: 1, denominator: 1 },
          { from: '2024-07-01', numerator: 0, denominator: 0 },
        ],
      },
    ]);
  });
});
