import type { RecordedEvent } from '../events/recorded.js';
import type { DeltaRow } from './delta.js';
import { diff } from './diff.js';
import { createLedgerProjection } from './projection.js';
import { PLAN_423, recorder } from './test-support/events.js';

const text = (rows: readonly DeltaRow[]): string =>
  JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** Two teachers of the college, a programme whose topics are corrected, a retraction. */
const history = (): RecordedEvent[] => {
  const r = recorder();
  const hire = (teacherId: string) =>
    r('TeacherHired', {
      teacherId,
      unitId: 'cdbk',
      employment: 'permanent',
      hiredOn: '2020-09-01',
      levels: ['college'],
      mode: 'theory',
    });
  const events = [
    r('ProgrammeRegistered', {
      programmeId: 'p',
      title: 'Số hoá',
      provider: 'Sở',
      topics: ['other'],
    }),
    hire('t2'),
    hire('t1'),
    r('TeacherEnrolled', { teacherId: 't2', programmeId: 'p', enrolledOn: '2024-03-01' }),
    r('CourseCompleted', { teacherId: 't2', programmeId: 'p', completedOn: '2024-05-01' }),
    r('TeacherEnrolled', { teacherId: 't1', programmeId: 'p', enrolledOn: '2024-03-01' }),
    r('CourseCompleted', { teacherId: 't1', programmeId: 'p', completedOn: '2024-06-01' }),
    r('DegreeAwarded', {
      teacherId: 't1',
      degreeId: 'm',
      level: 'master',
      field: 'CNTT',
      institution: 'ĐH Thái Nguyên',
      awardedOn: '2022-01-01',
    }),
    r('TeacherLeft', { teacherId: 't1', leftOn: '2025-01-01', reason: 'resigned' }),
  ];
  const left = events[events.length - 1]!;
  events.push(
    r('ProgrammeTopicsCorrected', {
      programmeId: 'p',
      topics: ['digital-transformation'],
      reason: 'nhập nhầm chủ đề',
    }),
    r('EventRetracted', { teacherId: 't1', eventId: left.id, reason: 'nhập nhầm' }),
  );
  return events;
};

describe('the ledger projection', () => {
  it('writes a topic correction’s rows at its position, for every completer, sorted', () => {
    const events = history();
    const correction = events[9]!;
    const ledger = createLedgerProjection(PLAN_423);
    const rows = events.slice(0, 10).flatMap((e) => ledger.project(e));
    const fromCorrection = rows.filter((row) => row.position === correction.position);
    expect(fromCorrection).toEqual([
      {
        indicator: 'trained-digital-transformation',
        unitId: 'cdbk',
        validFrom: '2024-05-01',
        position: correction.position,
        dNumerator: 1,
        dDenominator: 0,
        eventId: correction.id,
        teacherId: 't2',
      },
      {
        indicator: 'trained-digital-transformation',
        unitId: 'cdbk',
        validFrom: '2024-06-01',
        position: correction.position,
        dNumerator: 1,
        dDenominator: 0,
        eventId: correction.id,
        teacherId: 't1',
      },
      // t1 left on 2025-01-01 (not yet retracted): the completion stops counting with them.
      {
        indicator: 'trained-digital-transformation',
        unitId: 'cdbk',
        validFrom: '2025-01-01',
        position: correction.position,
        dNumerator: -1,
        dDenominator: 0,
        eventId: correction.id,
        teacherId: 't1',
      },
    ]);
  });

  it('writes a retraction’s rows at its position, with the old valid dates', () => {
    const events = history();
    const retraction = events[10]!;
    const ledger = createLedgerProjection(PLAN_423);
    const rows = events.flatMap((e) => ledger.project(e));
    const fromRetraction = rows.filter((row) => row.eventId === retraction.id);
    // The leave is undone: t1 is back in every indicator's population from 2025-01-01.
    expect(
      fromRetraction.map((r) => [r.indicator, r.validFrom, r.dNumerator, r.dDenominator]),
    ).toEqual([
      ['college-lecturers-qualified', '2025-01-01', 0, 1],
      ['master-or-above', '2025-01-01', 1, 1],
      ['trained-curriculum-outcomes', '2025-01-01', 0, 1],
      ['trained-digital-materials', '2025-01-01', 0, 1],
      ['trained-digital-transformation', '2025-01-01', 1, 1],
      ['trained-quality-accreditation', '2025-01-01', 0, 1],
    ]);
    expect(
      fromRetraction.every((r) => r.position === retraction.position && r.teacherId === 't1'),
    ).toBe(true);
  });

  it('ignores a redelivered event (at-least-once delivery)', () => {
    const events = history();
    const once = createLedgerProjection(PLAN_423);
    const twice = createLedgerProjection(PLAN_423);
    const rowsOnce = events.flatMap((e) => once.project(e));
    const rowsTwice = events.flatMap((e) => [...twice.project(e), ...twice.project(e)]);
    expect(text(rowsTwice)).toBe(text(rowsOnce));
    expect(events.flatMap((e) => twice.project(e))).toEqual([]);
  });

  it('after clear(), projects as a new projection does: nothing of the teachers or programmes before is kept', () => {
    const events = history();
    const reused = createLedgerProjection(PLAN_423);
    const first = text(events.flatMap((e) => reused.project(e)));
    reused.clear();
    expect(reused.facts('t1')).toBeUndefined();
    expect(reused.topics('p')).toBeUndefined();
    expect(reused.takeChanged()).toEqual({ teachers: [], programmes: [] });
    // The same events again are new to it, not redeliveries.
    expect(text(events.flatMap((e) => reused.project(e)))).toBe(first);
    // One teacher alone with the programme's events, as a replay by teacher feeds it.
    reused.clear();
    const t2 = events.filter((e) => e.stream !== 'teacher-t1');
    const fresh = createLedgerProjection(PLAN_423);
    expect(text(t2.flatMap((e) => reused.project(e)))).toBe(
      text(t2.flatMap((e) => fresh.project(e))),
    );
    expect(reused.serializeTeacher('t1')).toBeUndefined();
  });

  it('gives byte-identical rows after a restart from serialized state', () => {
    const events = history();
    const continuous = createLedgerProjection(PLAN_423);
    const expected = text(events.flatMap((e) => continuous.project(e)));
    for (let cut = 0; cut <= events.length; cut++) {
      const first = createLedgerProjection(PLAN_423);
      const rows = events.slice(0, cut).flatMap((e) => first.project(e));
      const changed = first.takeChanged();
      // Through JSON, as a read model would store it.
      const saved = JSON.parse(
        JSON.stringify({
          programmes: changed.programmes.map((p) => first.serializeProgramme(p)),
          teachers: changed.teachers.map((t) => first.serializeTeacher(t)),
        }),
      ) as { programmes: never[]; teachers: unknown[] };
      const second = createLedgerProjection(PLAN_423);
      saved.programmes.forEach((p) => second.loadProgramme(p));
      saved.teachers.forEach((t) => second.loadTeacher(t));
      rows.push(...events.slice(cut).flatMap((e) => second.project(e)));
      expect(text(rows)).toBe(expected);
      // Redelivery of what was projected before the restart changes nothing.
      expect(events.slice(0, cut).flatMap((e) => second.project(e))).toEqual([]);
    }
  });

  it('goes on from teacher state saved in version 1 (parsed events) with the same rows', () => {
    const events = history();
    const continuous = createLedgerProjection(PLAN_423);
    const expected = text(events.flatMap((e) => continuous.project(e)));
    const cut = events.length - 2; // before the topic correction and the retraction
    const first = createLedgerProjection(PLAN_423);
    const rows = events.slice(0, cut).flatMap((e) => first.project(e));
    const second = createLedgerProjection(PLAN_423);
    second.loadProgramme(first.serializeProgramme('p')!);
    for (const teacherId of ['t1', 't2']) {
      const own = events
        .slice(0, cut)
        .filter((e) => (e.data as { teacherId?: string }).teacherId === teacherId);
      // The version 1 form, as a read model written before version 2 holds it.
      const v1 = {
        v: 1,
        teacherId,
        lastPosition: own[own.length - 1]!.position.toString(),
        events: own.map((e) => ({ id: e.id, type: e.type, data: e.data })),
      };
      second.loadTeacher(JSON.parse(JSON.stringify(v1)));
      expect(second.facts(teacherId)).toEqual(first.facts(teacherId));
    }
    rows.push(...events.slice(cut).flatMap((e) => second.project(e)));
    expect(text(rows)).toBe(expected);
    expect(second.serializeTeacher('t1')?.v).toBe(2);
  });

  it('keeps a teacher’s events compact: no names, reasons or hours in the saved state', () => {
    const ledger = createLedgerProjection(PLAN_423);
    // Without the final retraction, so the leave (and its reason) is still held.
    for (const e of history().slice(0, -1)) ledger.project(e);
    const saved = ledger.serializeTeacher('t1')!;
    expect(saved.events).toHaveLength(5);
    expect(JSON.stringify(saved)).not.toMatch(/Thái Nguyên|CNTT|resigned/);
  });

  it('rejects a value that is not a serialized teacher', () => {
    const ledger = createLedgerProjection(PLAN_423);
    expect(() => ledger.loadTeacher({ v: 2 })).toThrow('not a serialized teacher state');
  });

  it('writes no rows for events that move no indicator', () => {
    const r = recorder();
    const ledger = createLedgerProjection(PLAN_423);
    ledger.project(
      r('TeacherHired', {
        teacherId: 't1',
        unitId: 'cdbk',
        employment: 'permanent',
        hiredOn: '2020-09-01',
        levels: ['college'],
        mode: 'theory',
      }),
    );
    expect(
      ledger.project(r('TeacherRegistered', { teacherId: 't1', fullName: 'Hoàng Thị Lan' })),
    ).toEqual([]);
    expect(
      ledger.project(
        r('TeacherEnrolled', { teacherId: 't1', programmeId: 'p', enrolledOn: '2024-01-01' }),
      ),
    ).toEqual([]);
    expect(
      ledger.project(
        r('UnitMerged', { unitId: 'cdbk', intoUnitId: 'cdtn', effectiveOn: '2025-07-01' }),
      ),
    ).toEqual([]);
  });
});

describe('diff', () => {
  const ctx = { position: 7n, eventId: 'e', teacherId: 't' };
  const f = (unitId: string, points: [string, 0 | 1, 0 | 1][]) => ({
    indicator: 'i',
    unitId,
    points: points.map(([from, numerator, denominator]) => ({ from, numerator, denominator })),
  });

  it('writes only non-zero changes, sorted by indicator, unit and date', () => {
    const before = [
      f('a', [
        ['2020-01-01', 0, 1],
        ['2024-01-01', 0, 0],
      ]),
    ];
    const after = [
      f('a', [
        ['2020-01-01', 0, 1],
        ['2022-01-01', 1, 1],
      ]),
      f('b', [['2021-01-01', 0, 1]]),
    ];
    expect(
      diff(before, after, ctx).map((r) => [r.unitId, r.validFrom, r.dNumerator, r.dDenominator]),
    ).toEqual([
      ['a', '2022-01-01', 1, 0],
      ['a', '2024-01-01', 0, 1],
      ['b', '2021-01-01', 0, 1],
    ]);
  });

  it('writes nothing when nothing changed', () => {
    const same = [f('a', [['2020-01-01', 1, 1]])];
    expect(diff(same, [f('a', [['2020-01-01', 1, 1]])], ctx)).toEqual([]);
  });
});
