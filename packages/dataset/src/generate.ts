import type { Envelope, EventData, EventType, TeachingLevel, TeachingMode } from '@nhagiao/domain';
import { Random, addDays, dateBetween, maxDate } from './random.js';
import {
  ETHNICITIES,
  FAMILY_NAMES,
  FIELDS,
  GIVEN_NAMES,
  LEVELS_BY_KIND,
  MERGES,
  MIDDLE_NAMES,
  MODES,
  NEW_AREAS,
  PROGRAMMES,
  REORGANISATION_ON,
  TEACHER_TRAINING_UNIVERSITIES,
  UNITS,
  UNIVERSITIES,
  VOCATIONAL_SCHOOLS,
  type UnitSpec,
} from './reference.js';

export interface DatasetOptions {
  /** How many teachers (default 320, about Bắc Kạn's size). */
  readonly teachers?: number;
  readonly seed?: number;
  /** The last business date of the history (default 2026-11-20). */
  readonly until?: string;
}

const FIRST_DAY = '2005-01-01';

/** One event of a teacher's history with the key that orders it. */
interface Dated {
  readonly on: string;
  /** Within a day: registration, hire, assignment, enrolment, completion, leave. */
  readonly rank: number;
  readonly envelope: Envelope;
}

const RANK: Partial<Record<EventType, number>> = {
  TeacherRegistered: 0,
  TeacherHired: 1,
  TeacherTransferred: 2,
  TeachingAssignmentChanged: 3,
  TeacherEnrolled: 4,
  CourseCompleted: 5,
  EnrolmentWithdrawn: 5,
  TeacherLeft: 9,
};

class Builder {
  constructor(
    readonly rng: Random,
    readonly source: string,
  ) {}

  envelope<T extends EventType>(type: T, data: EventData<T>, source = this.source): Envelope {
    return { id: this.rng.uuid(), type, data, metadata: { source } } as Envelope;
  }
}

/**
 * Generates the dataset as envelopes in a valid arrival order: the units and
 * programmes, then each teacher's stream (some degrees recorded late, at the end
 * of the stream), then the 2025 reorganisation and a programme-topic correction.
 * Lazy: a million-event dataset never sits in memory.
 */
export function* generateDataset(options: DatasetOptions = {}): Generator<Envelope> {
  const rng = new Random(options.seed ?? 423);
  const until = options.until ?? '2026-11-20';
  const teachers = options.teachers ?? 320;
  const b = new Builder(rng, 'so-gddt.register');

  for (const u of UNITS) {
    yield b.envelope('UnitRegistered', {
      unitId: u.unitId,
      name: u.name,
      kind: u.kind,
      area: u.area,
      registeredOn: FIRST_DAY,
    });
  }
  for (const p of PROGRAMMES) {
    yield b.envelope('ProgrammeRegistered', {
      programmeId: p.programmeId,
      title: p.title,
      provider: p.provider,
      topics: [...p.topics],
      hours: p.hours,
      mode: p.mode,
    });
    if (p.startOn >= '2024-01-01') {
      yield b.envelope('TrainingFunded', {
        fundingId: `kp-${p.programmeId}`,
        programmeId: p.programmeId,
        source: rng.pick([
          'state-budget',
          'state-budget',
          'national-target-programme',
          'unit-revenue',
        ] as const),
        amountVnd: rng.int(8, 60) * 10_000_000,
        fundedOn: addDays(p.startOn, -rng.int(10, 40)),
      });
    }
  }

  const totalWeight = UNITS.reduce((s, u) => s + u.weight, 0);
  const pickUnit = (): UnitSpec => {
    let r = rng.next() * totalWeight;
    for (const u of UNITS) {
      r -= u.weight;
      if (r < 0) return u;
    }
    return UNITS[0] as UnitSpec;
  };
  const counters = new Map<string, number>();
  for (let i = 0; i < teachers; i++) {
    const unit = pickUnit();
    const n = (counters.get(unit.unitId) ?? 0) + 1;
    counters.set(unit.unitId, n);
    yield* teacherHistory(rng, unit, `${unit.unitId}-${String(n).padStart(4, '0')}`, until);
  }

  const reorg = new Builder(rng, 'so-gddt.register');
  for (const u of UNITS) {
    const area = NEW_AREAS[u.unitId];
    if (area)
      yield reorg.envelope('UnitAreaChanged', {
        unitId: u.unitId,
        area,
        effectiveOn: REORGANISATION_ON,
      });
  }
  for (const m of MERGES) {
    yield reorg.envelope('UnitMerged', {
      unitId: m.unitId,
      intoUnitId: m.intoUnitId,
      effectiveOn: REORGANISATION_ON,
    });
    yield reorg.envelope('UnitRenamed', {
      unitId: m.intoUnitId,
      name: m.newName,
      effectiveOn: REORGANISATION_ON,
    });
  }
  for (const p of PROGRAMMES) {
    if (p.correctedTopics) {
      yield reorg.envelope('ProgrammeTopicsCorrected', {
        programmeId: p.programmeId,
        topics: [...p.correctedTopics],
        reason: 'Đăng ký ban đầu thiếu chủ đề phát triển chương trình theo chuẩn đầu ra',
      });
    }
  }
}

function* teacherHistory(
  rng: Random,
  unit: UnitSpec,
  teacherId: string,
  until: string,
): Generator<Envelope> {
  const b = new Builder(rng, unit.source);
  const gender = rng.chance(0.55) ? 'female' : 'male';
  const hiredOn = dateBetween(rng, FIRST_DAY, '2025-10-31');
  const birthDate = addDays(hiredOn, -rng.int(23 * 365, 42 * 365));
  const permanent =
    unit.kind === 'college' || unit.kind === 'vet-centre' ? rng.chance(0.88) : rng.chance(0.6);
  let levels: readonly TeachingLevel[] = rng.pick(LEVELS_BY_KIND[unit.kind]);
  let mode: TeachingMode = rng.pick(MODES);
  const events: Dated[] = [];
  const late: Envelope[] = [];
  const push = (on: string, envelope: Envelope) =>
    events.push({ on, rank: RANK[envelope.type] ?? 6, envelope });

  yield b.envelope('TeacherRegistered', {
    teacherId,
    fullName: `${rng.pick(FAMILY_NAMES)} ${rng.pick(MIDDLE_NAMES[gender])} ${rng.pick(GIVEN_NAMES[gender])}`,
    birthDate,
    gender,
    ethnicity: rng.pick(ETHNICITIES),
  });
  push(
    hiredOn,
    b.envelope('TeacherHired', {
      teacherId,
      unitId: unit.unitId,
      employment: permanent ? 'permanent' : 'visiting',
      hiredOn,
      levels: [...levels],
      mode,
    }),
  );

  // Degrees held at hiring.
  const college = unit.kind === 'college';
  const roll = rng.next();
  const firstDegree = college
    ? roll < 0.08
      ? 'college'
      : roll < 0.75
        ? 'bachelor'
        : 'master'
    : roll < 0.2
      ? 'intermediate'
      : roll < 0.45
        ? 'college'
        : roll < 0.95
          ? 'bachelor'
          : 'master';
  const graduated = addDays(hiredOn, -rng.int(60, 2500));
  let degreeNo = 0;
  const degree = (
    level: EventData<'DegreeAwarded'>['level'],
    awardedOn: string,
    pedagogical: boolean,
  ): Envelope => {
    degreeNo += 1;
    return b.envelope('DegreeAwarded', {
      teacherId,
      degreeId: `${teacherId}-vb${degreeNo}`,
      level,
      field: rng.pick(FIELDS),
      institution: pedagogical
        ? rng.pick(TEACHER_TRAINING_UNIVERSITIES)
        : level === 'intermediate' || level === 'college'
          ? rng.pick(VOCATIONAL_SCHOOLS)
          : rng.pick(UNIVERSITIES),
      awardedOn,
      ...(pedagogical ? { pedagogical: true } : {}),
      country: 'Việt Nam',
    });
  };
  if (firstDegree === 'master')
    push(graduated, degree('bachelor', addDays(graduated, -rng.int(700, 1500)), rng.chance(0.3)));
  const first = degree(firstDegree, graduated, firstDegree !== 'intermediate' && rng.chance(0.3));
  // One teacher in ten has the degree entered late, after the rest of the history.
  if (rng.chance(0.1)) late.push(first);
  else push(graduated, first);

  // Certificates.
  if (rng.chance(college ? 0.75 : 0.5)) {
    const issuedOn = dateBetween(rng, addDays(hiredOn, -700), addDays(hiredOn, 500));
    push(
      issuedOn,
      b.envelope('CertificateIssued', {
        teacherId,
        certificateId: `${teacherId}-nvsp`,
        kind: 'pedagogy-vet',
        issuedOn,
      }),
    );
  } else if (!college && rng.chance(0.5)) {
    const issuedOn = dateBetween(rng, addDays(hiredOn, -300), addDays(hiredOn, 300));
    push(
      issuedOn,
      b.envelope('CertificateIssued', {
        teacherId,
        certificateId: `${teacherId}-nvsp-sc`,
        kind: 'pedagogy-elementary',
        issuedOn,
      }),
    );
  }
  if (mode !== 'theory' && rng.chance(0.6)) {
    const issuedOn = dateBetween(rng, addDays(hiredOn, -1000), addDays(hiredOn, 700));
    push(
      issuedOn,
      b.envelope('CertificateIssued', {
        teacherId,
        certificateId: `${teacherId}-kn`,
        kind: 'national-skill',
        level: college ? rng.int(2, 5) : rng.int(1, 3),
        occupation: rng.pick(FIELDS),
        issuedOn,
      }),
    );
  }
  if (mode !== 'theory' && rng.chance(0.08)) {
    const issuedOn = dateBetween(rng, addDays(hiredOn, -1000), addDays(hiredOn, 700));
    push(
      issuedOn,
      b.envelope('CertificateIssued', {
        teacherId,
        certificateId: `${teacherId}-cchn`,
        kind: 'practice-licence',
        occupation: rng.pick(FIELDS),
        issuedOn,
        expiresOn: addDays(issuedOn, 5 * 365),
      }),
    );
  }
  if (rng.chance(0.4)) {
    const issuedOn = dateBetween(rng, addDays(hiredOn, -1500), until);
    push(
      issuedOn,
      b.envelope('CertificateIssued', {
        teacherId,
        certificateId: `${teacherId}-nn`,
        kind: 'foreign-language',
        level: rng.int(2, 4),
        issuedOn,
      }),
    );
  }

  // Employment: assignment changes, a transfer, leaving, sometimes a rehire.
  let employedFrom = hiredOn;
  let currentUnit = unit.unitId;
  let leftOn: string | undefined;
  if (rng.chance(0.15) && hiredOn < '2025-06-01') {
    const on = dateBetween(rng, addDays(hiredOn, 200), '2026-06-30');
    levels = rng.pick(LEVELS_BY_KIND[unit.kind]);
    mode = rng.pick(MODES);
    push(
      on,
      b.envelope('TeachingAssignmentChanged', {
        teacherId,
        levels: [...levels],
        mode,
        effectiveOn: on,
      }),
    );
    employedFrom = on;
  }
  if (!college && rng.chance(0.08) && employedFrom < '2025-06-01') {
    const target = rng.pick(
      UNITS.filter(
        (u) => u.unitId !== unit.unitId && (u.kind === 'college' || u.kind === 'vet-centre'),
      ),
    );
    const on = dateBetween(rng, addDays(employedFrom, 100), '2026-06-30');
    push(
      on,
      b.envelope('TeacherTransferred', { teacherId, toUnitId: target.unitId, effectiveOn: on }),
    );
    employedFrom = on;
    currentUnit = target.unitId;
  }
  if (rng.chance(0.14) && employedFrom < '2026-01-01') {
    leftOn = dateBetween(rng, addDays(employedFrom, 30), until);
    push(
      leftOn,
      b.envelope('TeacherLeft', {
        teacherId,
        leftOn,
        reason: rng.pick(['retired', 'resigned', 'contract-ended', 'retired', 'other'] as const),
      }),
    );
    if (rng.chance(0.2) && leftOn < '2026-01-01') {
      const again = dateBetween(rng, addDays(leftOn, 60), until);
      const lv = rng.pick(LEVELS_BY_KIND[unit.kind]);
      push(
        again,
        b.envelope('TeacherHired', {
          teacherId,
          unitId: currentUnit,
          employment: 'permanent',
          hiredOn: again,
          levels: [...lv],
          mode: rng.pick(MODES),
        }),
      );
      leftOn = undefined;
    }
  }
  const employedOn = (d: string) => d >= hiredOn && (leftOn === undefined || d < leftOn);

  // Postgraduate study: started, then a master's, abandoned, or still under way.
  if (
    (firstDegree === 'bachelor' || firstDegree === 'college') &&
    rng.chance(college ? 0.4 : 0.15)
  ) {
    const startedOn = dateBetween(rng, maxDate(addDays(hiredOn, 300), '2012-01-01'), '2026-03-01');
    if (startedOn <= until) {
      const expectedOn = addDays(startedOn, 730);
      push(
        startedOn,
        b.envelope('PostgraduateStudyStarted', {
          teacherId,
          level: 'master',
          institution: rng.pick(UNIVERSITIES),
          startedOn,
          expectedOn,
        }),
      );
      const r = rng.next();
      if (expectedOn <= until && r < 0.8) {
        const awardedOn = addDays(expectedOn, rng.int(-30, 120));
        if (awardedOn <= until) {
          const m = degree('master', awardedOn, rng.chance(0.2));
          const recordedLate = rng.chance(0.15);
          if (recordedLate) late.push(m);
          else push(awardedOn, m);
          if (rng.chance(0.01)) {
            const revokedOn = dateBetween(rng, addDays(awardedOn, 30), until);
            const revocation = b.envelope('DegreeRevoked', {
              teacherId,
              degreeId: `${teacherId}-vb${degreeNo}`,
              revokedOn,
              reason: 'Văn bằng không được công nhận tương đương',
            });
            // A revocation can only follow the award it revokes, also when that was recorded late.
            if (recordedLate) late.push(revocation);
            else push(revokedOn, revocation);
          }
        }
      } else if (r < 0.9) {
        const abandonedOn = dateBetween(rng, addDays(startedOn, 60), until);
        push(
          abandonedOn,
          b.envelope('PostgraduateStudyAbandoned', { teacherId, level: 'master', abandonedOn }),
        );
      }
    }
  }

  // Training programmes while employed.
  let retractable: Envelope | undefined;
  for (const p of PROGRAMMES) {
    if (!employedOn(p.startOn) || p.startOn > until || !rng.chance(p.uptake)) continue;
    push(
      p.startOn,
      b.envelope(
        'TeacherEnrolled',
        { teacherId, programmeId: p.programmeId, enrolledOn: p.startOn },
        'lms.moodle',
      ),
    );
    const r = rng.next();
    if (p.endOn > until) continue;
    if (r < 0.06) {
      push(
        addDays(p.startOn, 2),
        b.envelope(
          'EnrolmentWithdrawn',
          {
            teacherId,
            programmeId: p.programmeId,
            withdrawnOn: addDays(p.startOn, 2),
            reason: 'Bận công tác',
          },
          'lms.moodle',
        ),
      );
      continue;
    }
    const completion = b.envelope(
      'CourseCompleted',
      {
        teacherId,
        programmeId: p.programmeId,
        completedOn: p.endOn,
        hours: p.hours,
        result: rng.pick(['passed', 'passed', 'merit', 'distinction'] as const),
      },
      'lms.moodle',
    );
    push(p.endOn, completion);
    if (r > 0.985) {
      const revokedOn = addDays(p.endOn, rng.int(20, 90));
      if (revokedOn <= until)
        push(
          revokedOn,
          b.envelope(
            'CourseCompletionRevoked',
            {
              teacherId,
              programmeId: p.programmeId,
              revokedOn,
              reason: 'Không đủ thời lượng học tập',
            },
            'lms.moodle',
          ),
        );
    } else if (r > 0.97) {
      retractable = completion;
    }
  }
  if (rng.chance(0.1)) {
    const year = rng.int(2015, 2025);
    push(
      `${year}-11-20`,
      b.envelope('TeachingContestAwarded', {
        teacherId,
        level: rng.pick(['institution', 'provincial', 'national'] as const),
        year,
        award: rng.pick(['first', 'second', 'third', 'consolation', 'certificate'] as const),
      }),
    );
  }

  events.sort((x, y) => (x.on < y.on ? -1 : x.on > y.on ? 1 : x.rank - y.rank));
  for (const e of events) yield e.envelope;
  for (const e of late) yield e;
  if (retractable) {
    yield b.envelope(
      'EventRetracted',
      { teacherId, eventId: retractable.id, reason: 'Nhập nhầm kết quả của giáo viên khác' },
      'lms.moodle',
    );
  }
}
