/**
 * Micro-benchmark of the delta ledger projection: events/s on generated data
 * shaped like the province (about 33 events a teacher: hire, assignment changes,
 * degrees, certificates, enrolments and completions, a few revocations,
 * retractions and topic corrections).
 *
 *   npx tsx packages/domain/bench/project.bench.ts [events=1000000] [teachers=30000]
 *
 * Only `project` is timed; generating the events is not.
 */
import {
  type EventData,
  type EventType,
  type IndicatorDefinition,
  type RecordedEvent,
  type Topic,
  createLedgerProjection,
} from '../src/index.js';

const totalEvents = Number(process.argv[2] ?? 1_000_000);
const teacherCount = Number(process.argv[3] ?? 30_000);
const perTeacher = Math.max(8, Math.round(totalEvents / teacherCount));

const PLAN: IndicatorDefinition[] = [
  { code: 'master-or-above', rule: { kind: 'master-or-above' } },
  {
    code: 'college-lecturers-qualified',
    rule: { kind: 'meets-standard', standardVersion: '05/2024', unitKind: 'college' },
  },
  ...(
    [
      'curriculum-outcomes',
      'quality-accreditation',
      'digital-materials',
      'digital-transformation',
    ] as const
  ).map((topic) => ({
    code: `trained-${topic}`,
    rule: { kind: 'trained' as const, topic, countFrom: '2024-01-01' },
  })),
];

// A small deterministic PRNG so every run measures the same data.
let seed = 42;
const rand = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const BASE = Date.UTC(2010, 0, 1);
const dateOf = (day: number): string =>
  new Date(BASE + day * 86_400_000).toISOString().slice(0, 10);
const TOPICS: Topic[] = [
  'curriculum-outcomes',
  'quality-accreditation',
  'digital-materials',
  'digital-transformation',
  'pedagogy',
  'management',
];
const UNITS = Array.from({ length: 12 }, (_, i) => `unit-${i}`);
const PROGRAMMES = Array.from({ length: 60 }, (_, i) => `prog-${i}`);

let position = 0n;
const rec = <T extends EventType>(type: T, data: EventData<T>): RecordedEvent => {
  position += 1n;
  return {
    type,
    data,
    id: `00000000-0000-4000-8000-${position.toString(16).padStart(12, '0')}`,
    stream: 'x',
    revision: 0n,
    position,
    recordedAt: '2025-01-01T00:00:00.000Z',
    metadata: {},
  } as RecordedEvent;
};

/** One teacher's stream, in an order the deciders would accept. */
const teacherEvents = (t: number): RecordedEvent[] => {
  const teacherId = `t${t}`;
  const out: RecordedEvent[] = [];
  out.push(rec('TeacherRegistered', { teacherId, fullName: 'Nguyễn Văn A' }));
  let day = Math.floor(rand() * 4000);
  out.push(
    rec('TeacherHired', {
      teacherId,
      unitId: pick(UNITS),
      employment: rand() < 0.9 ? 'permanent' : 'visiting',
      hiredOn: dateOf(day),
      levels: [pick(['college', 'intermediate', 'elementary'] as const)],
      mode: pick(['theory', 'practice', 'integrated'] as const),
    }),
  );
  for (let i = 0; out.length < perTeacher - 2; i++) {
    const r = rand();
    const on = dateOf(Math.floor(rand() * 5500));
    if (r < 0.08) {
      day += 1 + Math.floor(rand() * 300);
      out.push(
        rec('TeacherTransferred', { teacherId, toUnitId: pick(UNITS), effectiveOn: dateOf(day) }),
      );
    } else if (r < 0.14) {
      day += 1 + Math.floor(rand() * 300);
      out.push(
        rec('TeachingAssignmentChanged', {
          teacherId,
          levels: [pick(['college', 'intermediate', 'elementary'] as const)],
          mode: pick(['theory', 'practice', 'integrated'] as const),
          effectiveOn: dateOf(day),
        }),
      );
    } else if (r < 0.26) {
      out.push(
        rec('DegreeAwarded', {
          teacherId,
          degreeId: `d${i}`,
          level: pick(['intermediate', 'college', 'bachelor', 'master', 'doctorate'] as const),
          field: 'Điện',
          institution: 'ĐH Thái Nguyên',
          awardedOn: on,
          pedagogical: rand() < 0.3,
        }),
      );
    } else if (r < 0.4) {
      const kind = pick([
        'pedagogy-vet',
        'pedagogy-elementary',
        'national-skill',
        'practice-licence',
      ] as const);
      const data: EventData<'CertificateIssued'> = {
        teacherId,
        certificateId: `c${i}`,
        kind,
        issuedOn: on,
      };
      if (kind === 'national-skill') data.level = 1 + Math.floor(rand() * 5);
      if (rand() < 0.3) data.expiresOn = dateOf(5600);
      out.push(rec('CertificateIssued', data));
    } else if (r < 0.42) {
      out.push(
        rec('CertificateRevoked', {
          teacherId,
          certificateId: `c${i - 1}`,
          revokedOn: on,
          reason: 'x',
        }),
      );
    } else if (r < 0.44 && out.length > 3) {
      out.push(
        rec('EventRetracted', { teacherId, eventId: out[out.length - 1]!.id, reason: 'nhầm' }),
      );
    } else {
      const programmeId = pick(PROGRAMMES);
      out.push(rec('TeacherEnrolled', { teacherId, programmeId, enrolledOn: on }));
      out.push(rec('CourseCompleted', { teacherId, programmeId, completedOn: on }));
    }
  }
  if (rand() < 0.2) {
    day += 1 + Math.floor(rand() * 900);
    out.push(rec('TeacherLeft', { teacherId, leftOn: dateOf(day), reason: 'retired' }));
  }
  return out;
};

const ledger = createLedgerProjection(PLAN);
let projected = 0;
let rows = 0;
let nanos = 0n;
let cpuMicros = 0;
const time = (events: readonly RecordedEvent[]): void => {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (const e of events) rows += ledger.project(e).length;
  nanos += process.hrtime.bigint() - start;
  const used = process.cpuUsage(cpu);
  cpuMicros += used.user + used.system;
  projected += events.length;
};

time(
  PROGRAMMES.map((programmeId) =>
    rec('ProgrammeRegistered', {
      programmeId,
      title: 'Bồi dưỡng',
      provider: 'Sở',
      topics: [pick(TOPICS), pick(TOPICS)].filter((t, i, a) => a.indexOf(t) === i),
    }),
  ),
);
// Teachers are generated in batches and their streams interleaved, as on the real log.
const BATCH = 500;
for (let first = 0; first < teacherCount; first += BATCH) {
  const streams = Array.from({ length: Math.min(BATCH, teacherCount - first) }, (_, i) =>
    teacherEvents(first + i),
  );
  const batch: RecordedEvent[] = [];
  for (let k = 0; streams.some((s) => k < s.length); k++)
    for (const s of streams) if (k < s.length) batch.push(s[k]!);
  time(batch);
  // A few topic corrections along the way recompute every completer of the programme.
  if (first % 6000 === 0)
    time([
      rec('ProgrammeTopicsCorrected', {
        programmeId: pick(PROGRAMMES),
        topics: [pick(TOPICS)],
        reason: 'sửa',
      }),
    ]);
}

// CPU time is reported beside wall time: on a shared machine it is the steadier figure
// (it includes the collector's work on this thread, not time spent waiting for a core).
const seconds = Number(nanos) / 1e9;
const cpuSeconds = cpuMicros / 1e6;
process.stdout.write(
  `${projected} events, ${teacherCount} teachers, ${rows} delta rows\n` +
    `wall: ${seconds.toFixed(2)} s, ${Math.round(projected / seconds)} events/s (${((seconds / projected) * 1e6).toFixed(2)} µs/event)\n` +
    `cpu:  ${cpuSeconds.toFixed(2)} s, ${Math.round(projected / cpuSeconds)} events/s (${((cpuSeconds / projected) * 1e6).toFixed(2)} µs/event)\n`,
);
