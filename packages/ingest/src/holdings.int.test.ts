import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDataset } from '@nhagiao/dataset';
import {
  type DecisionLookup,
  type Envelope,
  type TeacherDecisionState,
  type TeacherEnvelope,
  decideTeacher,
  evolveTeacher,
  holdingIn,
  holdingOf,
  initialTeacherState,
  isTeacherEnvelope,
  withHolding,
  withoutHoldings,
} from '@nhagiao/domain';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { type Ingestor, createIngestor } from './ingestor.js';
import { arrayItems } from './lines.js';
import {
  award,
  complete,
  enrol,
  id,
  programme,
  revoke,
  teacher,
  unit,
} from './test-support/envelopes.js';

const notAJson = { line: 0, value: undefined, parseError: 'not valid JSON' };

describe('teachers’ holdings outside memory', () => {
  let dir: string;
  let store: EventStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-holdings-'));
    store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const statuses = async (ingestor: Ingestor, items: readonly unknown[]): Promise<string[]> =>
    (await ingestor.ingest(arrayItems(items), { source: 't', mode: 'partial' })).items.map((o) =>
      o.status === 'rejected' ? `rejected ${o.code}` : o.status,
    );

  /** Submits `value` and a line that is not JSON, all or nothing: nothing is appended. */
  const rolledBack = async (ingestor: Ingestor, value: unknown) => {
    const report = await ingestor.ingest(
      [
        { line: 1, value },
        { ...notAJson, line: 2 },
      ],
      {
        source: 'all or nothing',
      },
    );
    expect(report.appended).toBe(0);
  };

  it('are kept from one submission to the next', async () => {
    const ingestor = createIngestor({ store });
    await statuses(ingestor, [
      unit('u1', 'college'),
      teacher('t1'),
      award('t1', 'ths-1'),
      programme('p1'),
    ]);
    expect(
      await statuses(ingestor, [
        award('t1', 'ths-1'),
        revoke('t1', 'ths-2'),
        revoke('t1', 'ths-1'),
        complete('t1', 'p1'),
        enrol('t1', 'p1'),
      ]),
    ).toEqual([
      'rejected already-exists',
      'rejected not-found',
      'accepted',
      'rejected completion-without-enrolment',
      'accepted',
    ]);
    expect(await statuses(ingestor, [complete('t1', 'p1')])).toEqual(['accepted']);
    ingestor.close();
  });

  it('are left as they were by a rejected submission', async () => {
    const ingestor = createIngestor({ store });
    await statuses(ingestor, [unit('u1', 'college'), teacher('t1')]);
    await rolledBack(ingestor, award('t1', 'ths-1'));
    // Had the award of the rolled-back submission stayed, the second award would be refused.
    expect(await statuses(ingestor, [revoke('t1', 'ths-1'), award('t1', 'ths-1')])).toEqual([
      'rejected not-found',
      'accepted',
    ]);
  });

  it('of a stream first read by a rejected submission are read again', async () => {
    await statuses(createIngestor({ store }), [
      unit('u1', 'college'),
      teacher('t1'),
      award('t1', 'ths-1'),
    ]);
    // A new ingestor reads t1 from the store inside a submission that is then rolled back.
    const fresh = createIngestor({ store });
    await rolledBack(fresh, award('t1', 'ths-2'));
    expect(await statuses(fresh, [award('t1', 'ths-1'), revoke('t1', 'ths-1')])).toEqual([
      'rejected already-exists',
      'accepted',
    ]);
  });

  it('are replaced when a retraction refolds the stream', async () => {
    const ingestor = createIngestor({ store });
    const awarded = award('t1', 'ths-1');
    await statuses(ingestor, [unit('u1', 'college'), teacher('t1'), awarded, award('t1', 'ts-1')]);
    const retraction = {
      id: id(),
      type: 'EventRetracted',
      data: { teacherId: 't1', eventId: awarded.id, reason: 'nhập nhầm' },
    };
    expect(
      await statuses(ingestor, [
        retraction,
        revoke('t1', 'ths-1'),
        revoke('t1', 'ts-1'),
        award('t1', 'ths-1'),
      ]),
    ).toEqual(['accepted', 'rejected not-found', 'accepted', 'accepted']);
  });

  /** Events that name the same holding as `e` does (the dataset revokes no certificate, say). */
  const followers = (e: TeacherEnvelope): TeacherEnvelope[] => {
    const { teacherId } = e.data;
    const reason = 'kiểm tra';
    switch (e.type) {
      case 'DegreeAwarded':
        return [
          {
            id: id(),
            type: 'DegreeRevoked',
            data: { teacherId, degreeId: e.data.degreeId, revokedOn: '2026-01-01', reason },
          },
        ];
      case 'CertificateIssued':
        return [
          {
            id: id(),
            type: 'CertificateRevoked',
            data: {
              teacherId,
              certificateId: e.data.certificateId,
              revokedOn: '2026-01-01',
              reason,
            },
          },
        ];
      case 'TeacherEnrolled':
      case 'CourseCompleted': {
        const { programmeId } = e.data;
        return [
          {
            id: id(),
            type: 'CourseCompleted',
            data: { teacherId, programmeId, completedOn: '2026-01-01' },
          },
          {
            id: id(),
            type: 'EnrolmentWithdrawn',
            data: { teacherId, programmeId, withdrawnOn: '2026-01-01' },
          },
          {
            id: id(),
            type: 'CourseCompletionRevoked',
            data: { teacherId, programmeId, revokedOn: '2026-01-01', reason },
          },
        ];
      }
      default:
        return [];
    }
  };

  it('are what a decision reads: one holding decides and evolves as the whole state does', () => {
    const lookup: DecisionLookup = {
      unit: () => ({}),
      programmeExists: () => true,
      teacherHistory: () => [],
    };
    const states = new Map<string, TeacherDecisionState>();
    const histories = new Map<string, TeacherEnvelope[]>();
    let compared = 0;
    let refused = 0;
    const compare = (whole: TeacherDecisionState, e: TeacherEnvelope): TeacherDecisionState => {
      const ref = holdingOf(e);
      const one =
        ref === undefined ? withoutHoldings(whole) : withHolding(whole, ref, holdingIn(whole, ref));
      const a = decideTeacher(whole, e, lookup);
      const b = decideTeacher(one, e, lookup);
      expect(b.ok ? 'ok' : b.error.message).toEqual(a.ok ? 'ok' : a.error.message);
      compared += 1;
      if (!a.ok) {
        refused += 1;
        return whole;
      }
      const next = evolveTeacher(whole, e);
      const nextOne = evolveTeacher(one, e);
      expect(withoutHoldings(nextOne)).toEqual(withoutHoldings(next));
      if (ref !== undefined) expect(holdingIn(nextOne, ref)).toEqual(holdingIn(next, ref));
      return next;
    };
    for (const e of generateDataset({ teachers: 150, seed: 7 }) as Iterable<Envelope>) {
      if (!isTeacherEnvelope(e)) continue;
      const stream = `teacher-${e.data.teacherId}`;
      const history = histories.get(stream) ?? [];
      let state = states.get(stream) ?? initialTeacherState;
      if (e.type === 'EventRetracted') state = evolveTeacher(state, e, history);
      else {
        state = compare(state, e);
        // The same event again (a second award or enrolment, a second revocation or
        // withdrawal), and what may follow it: a revocation of the same credential.
        compare(state, { ...e, id: id() });
        for (const probe of followers(e)) compare(state, probe);
      }
      history.push(e);
      histories.set(stream, history);
      states.set(stream, state);
    }
    expect(compared).toBeGreaterThan(2000);
    expect(refused).toBeGreaterThan(100);
  });
});
