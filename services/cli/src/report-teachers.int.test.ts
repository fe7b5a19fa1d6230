import path from 'node:path';
import {
  type RecordedEvent,
  employmentSegments,
  foldTeacherFacts,
  getPlan,
  resolveUnit,
  segmentOn,
  unitTimelineFrom,
} from '@nhagiao/domain';
import { type SqliteEventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { type ReadModelStore, openSqliteReadModel } from '@nhagiao/readmodels';
import { ReportError, computeAnnualReport } from '@nhagiao/reports';
import { cliSandbox } from './test-support/run.js';

/*
 * An annual report reads only the teachers ever hired or transferred into the
 * unit (or a unit merged into it), not every teacher's history. Here every
 * teacher of the log is folded instead, and the report must count exactly the
 * teachers found so, for every unit, several years and known-at positions.
 */

const s = cliSandbox();
const plan = getPlan('bac-kan-423-2024')!;
let store: SqliteEventStore;
let readModel: ReadModelStore;
let log: RecordedEvent[];

beforeAll(async () => {
  expect((await s.run(['demo', '--teachers', '400'])).code).toBe(0);
  store = openSqliteEventStore(path.join(s.dir, 'events.sqlite'), { readOnly: true });
  readModel = await openSqliteReadModel(path.join(s.dir, 'readmodel.sqlite'));
  log = [];
  for await (const e of store.readAll()) log.push(e);
}, 120_000);

afterAll(async () => {
  await readModel.close();
  await store.close();
  s.cleanup();
});

/** Teacher id → employment on `asOf`, of every teacher of the log whose segment lies in `unitId`. */
const everyTeacherIn = (unitId: string, asOf: string, knownAt: bigint): Map<string, string> => {
  const known = log.filter((e) => e.position <= knownAt);
  const timeline = unitTimelineFrom(known.filter((e) => e.stream.startsWith('unit-')));
  const byTeacher = new Map<string, RecordedEvent[]>();
  for (const e of known) {
    if (!e.stream.startsWith('teacher-')) continue;
    const id = e.stream.slice('teacher-'.length);
    byTeacher.set(id, [...(byTeacher.get(id) ?? []), e]);
  }
  const out = new Map<string, string>();
  for (const [id, events] of byTeacher) {
    const segment = segmentOn(employmentSegments(foldTeacherFacts(id, events)), asOf);
    if (segment === undefined) continue;
    if (resolveUnit(timeline, segment.unitId, asOf, knownAt)?.unitId === unitId)
      out.set(id, segment.employment);
  }
  return out;
};

describe('an annual report reads only the teachers placed at its unit', () => {
  it('counts exactly the teachers a fold of every teacher finds, for each unit, year and known-at', async () => {
    const unitIds = [
      ...new Set(log.filter((e) => e.type === 'UnitRegistered').map((e) => e.stream.slice(5))),
    ].sort();
    expect(unitIds.length).toBeGreaterThan(5);
    expect(log.some((e) => e.type === 'UnitMerged')).toBe(true);
    expect(log.some((e) => e.type === 'TeacherTransferred')).toBe(true);
    const head = log[log.length - 1]!.position;
    let compared = 0;
    let teachersSeen = 0;
    for (const knownAt of [undefined, (head * 2n) / 3n]) {
      for (const year of [2022, 2025, 2026]) {
        for (const unitId of unitIds) {
          const asOf = `${year}-06-30`;
          const expected = everyTeacherIn(unitId, asOf, knownAt ?? head);
          let report;
          try {
            report = await computeAnnualReport({
              plan,
              readModel,
              store,
              unitId,
              year,
              ...(knownAt === undefined ? {} : { knownAt }),
              generatedAt: '2026-01-01T00:00:00Z',
            });
          } catch (error) {
            // A unit not registered yet, or merged away by then, has no report of its own.
            expect(error).toBeInstanceOf(ReportError);
            expect(expected.size).toBe(0);
            continue;
          }
          const permanent = [...expected.values()].filter((k) => k === 'permanent').length;
          expect([unitId, year, knownAt, report.byEmployment]).toEqual([
            unitId,
            year,
            knownAt,
            { permanent, visiting: expected.size - permanent },
          ]);
          const degrees = report.byDegree.reduce((sum, d) => sum + d.total, 0);
          expect(degrees).toBe(expected.size);
          for (const line of report.standard)
            expect(expected.get(line.teacherId ?? '')).toBe('permanent');
          compared += 1;
          teachersSeen += expected.size;
        }
      }
    }
    expect(compared).toBeGreaterThan(20);
    expect(teachersSeen).toBeGreaterThan(400);
  });

  it('is the same from a store without batch reads, read event by event', async () => {
    const { readAllBatches: _batches, ...unfiltered } = store;
    const head = log[log.length - 1]!.position;
    for (const knownAt of [undefined, head / 2n]) {
      for (const unitId of ['cdbk', 'gdnn-ba-be', 'gdnn-cho-don']) {
        const input = {
          plan,
          readModel,
          unitId,
          year: 2025,
          ...(knownAt === undefined ? {} : { knownAt }),
          generatedAt: '2026-01-01T00:00:00Z',
        };
        const report = await computeAnnualReport({ ...input, store });
        expect(report.byEmployment.permanent).toBeGreaterThan(0);
        expect(await computeAnnualReport({ ...input, store: unfiltered })).toEqual(report);
      }
    }
  });
});
