import { createHash } from 'node:crypto';
import type { ReadModelStore } from '../ports.js';
import type { FigureRow, Scope } from '../types.js';
import {
  fullBatch,
  INDICATORS,
  LATE_MERGE,
  MASTER,
  positionsOf,
  QUALIFIED,
  ROWS,
  splitBatches,
  stamp,
  UNIT_EVENTS,
} from './fixture.js';

export interface ReadModelHarness {
  /** Opens a store on a fresh version (its own tables), or the active one without a version. */
  open(version?: string): Promise<ReadModelStore>;
}

const figure = (
  rows: readonly FigureRow[],
  indicator: string,
  scope: Scope,
): [number, number, number | null] => {
  const found = rows.find((r) => r.indicator === indicator && r.scope === scope);
  if (found === undefined)
    throw new Error(`no figure for ${indicator} ${scope} in ${JSON.stringify(rows)}`);
  return [found.numerator, found.denominator, found.value];
};

const scopes = (rows: readonly FigureRow[], indicator: string): string[] =>
  rows.filter((r) => r.indicator === indicator).map((r) => r.scope);

/** Numbers the versions the suite creates, across runs in one file (one per option set). */
let seq = 0;

/** The behaviour every read-model adapter must show; each adapter's test file runs it. */
export const readModelConformance = (harness: ReadModelHarness): void => {
  const stores: ReadModelStore[] = [];
  const fresh = async (): Promise<ReadModelStore> => {
    seq += 1;
    const store = await harness.open(`t${process.pid}_${seq}`);
    stores.push(store);
    return store;
  };
  const loaded = async (): Promise<ReadModelStore> => {
    const store = await fresh();
    await store.applyBatch(fullBatch());
    return store;
  };
  afterAll(async () => {
    for (const store of stores) await store.close();
  });

  describe('applyBatch', () => {
    it('applies a batch once: the same batch again changes nothing', async () => {
      const store = await fresh();
      expect(await store.applyBatch(fullBatch())).toEqual({ applied: true, checkpoint: 30n });
      const before = await store.figures({
        indicators: INDICATORS,
        asOf: '2025-12-31',
        by: 'unit',
      });
      const digest = await store.digest();
      expect(await store.applyBatch(fullBatch())).toEqual({ applied: false, checkpoint: 30n });
      expect(
        await store.figures({ indicators: INDICATORS, asOf: '2025-12-31', by: 'unit' }),
      ).toEqual(before);
      expect(await store.digest()).toBe(digest);
      expect(
        await store.history({ indicators: INDICATORS, indicator: MASTER, scope: 'province' }),
      ).toHaveLength(ROWS.filter((r) => r.indicator === MASTER).length);
    });

    it('applies only a batch that continues from the stored checkpoint, per projection', async () => {
      const store = await fresh();
      const [first, second, third] = splitBatches();
      // Not from the stored checkpoint (none yet): refused, nothing written.
      expect(await store.applyBatch(second!)).toEqual({ applied: false, checkpoint: null });
      expect(await store.applyBatch(first!)).toEqual({ applied: true, checkpoint: 12n });
      // A gap (12 → 15 skipped) and a replay are both refused.
      expect(await store.applyBatch(third!)).toEqual({ applied: false, checkpoint: 12n });
      expect(await store.applyBatch(first!)).toEqual({ applied: false, checkpoint: 12n });
      expect(await store.applyBatch(second!)).toEqual({ applied: true, checkpoint: 15n });
      expect(await store.applyBatch(second!)).toEqual({ applied: false, checkpoint: 15n });
      expect(await store.applyBatch(third!)).toEqual({ applied: true, checkpoint: 30n });
      expect(await store.checkpoint('ledger')).toBe(30n);
      expect(await store.checkpoint('other')).toBeNull();
      const straight = await fresh();
      for (const batch of splitBatches()) await straight.applyBatch(batch);
      expect(await store.digest()).toBe(await straight.digest());
      expect((await store.applyBatch({ ...first!, projection: 'other' })).applied).toBe(true);
    });

    it('of writers racing from one checkpoint on separate handles, exactly one is applied', async () => {
      const store = await fresh();
      const [first, second, third] = splitBatches();
      const handles = [store];
      for (let i = 0; i < 3; i += 1) {
        const other = await harness.open(store.version);
        stores.push(other);
        handles.push(other);
      }
      // SQLite's driver is synchronous: handles in one process take turns (its
      // write lock orders processes); PostgreSQL's race in their transactions.
      const all = <T>(calls: (() => Promise<T>)[]): Promise<T[]> =>
        store.location.kind === 'sqlite'
          ? calls.reduce<Promise<T[]>>(
              async (done, call) => [...(await done), await call()],
              Promise.resolve([]),
            )
          : Promise.all(calls.map((call) => call()));
      // Four projectors start from nothing at once, then from 12, then from 15.
      for (const batch of [first!, second!, third!]) {
        const results = await all(handles.map((h) => () => h.applyBatch(batch)));
        expect(results.filter((r) => r.applied)).toHaveLength(1);
        for (const r of results) expect(r.checkpoint).toBe(batch.checkpoint);
      }
      const straight = await fresh();
      for (const batch of splitBatches()) await straight.applyBatch(batch);
      expect(await store.digest()).toBe(await straight.digest());
      const by = { indicators: INDICATORS, asOf: '2025-12-31', by: 'unit' } as const;
      expect(await store.figures(by)).toEqual(await straight.figures(by));
    });

    it('moves the cursors of an applied batch with it, and none of a refused one', async () => {
      const store = await fresh();
      const [first, second] = splitBatches();
      const cursors = [{ name: 'ledger@stream', position: 40n }];
      await store.applyBatch({ ...first!, cursors });
      expect(await store.checkpoint('ledger@stream')).toBe(40n);
      await store.applyBatch({ ...first!, cursors: [{ name: 'ledger@stream', position: 99n }] });
      expect(await store.checkpoint('ledger@stream')).toBe(40n);
      await store.applyBatch({ ...second!, cursors: [{ name: 'ledger@stream', position: 45n }] });
      expect(await store.checkpoint('ledger@stream')).toBe(45n);
    });

    it('refuses a batch that does not end after where it starts', async () => {
      const store = await loaded();
      await expect(
        store.applyBatch({ projection: 'ledger', after: 30n, checkpoint: 30n }),
      ).rejects.toThrow(/not after 30/);
    });

    it('ledgerCheck counts the rows, the copies of a row and the rows past the checkpoint', async () => {
      const store = await loaded();
      expect(await store.ledgerCheck('ledger')).toEqual({
        rows: ROWS.length,
        duplicateRows: 0,
        beyondCheckpoint: 0,
      });
      // What a second writer without the checkpoint's guard would leave.
      await store.applyBulk({ upTo: 30n, rows: ROWS.slice(0, 3) });
      await store.applyBulk({
        upTo: 31n,
        rows: [{ ...ROWS[0]!, position: 31n, eventId: 'ev-31' }],
      });
      expect(await store.ledgerCheck('ledger')).toEqual({
        rows: ROWS.length + 4,
        duplicateRows: 3,
        beyondCheckpoint: 1,
      });
    });

    it('has an instance id shared by every handle, new when the tables are recreated', async () => {
      const store = await loaded();
      const other = await harness.open(store.version);
      stores.push(other);
      const id = await store.instanceId();
      expect(await other.instanceId()).toBe(id);
      await other.reset();
      expect(await store.instanceId()).not.toBe(id);
    });

    it('a batch failing mid-way leaves nothing behind and the checkpoint unmoved', async () => {
      const store = await loaded();
      const digest = await store.digest();
      const before = await store.figures({
        indicators: INDICATORS,
        asOf: '2025-12-31',
        by: 'province',
      });
      const failing = {
        projection: 'ledger',
        after: 30n,
        checkpoint: 40n,
        rows: [{ ...ROWS[0]!, position: 40n, eventId: 'ev-40', teacherId: 't9' }],
        positions: [{ position: 40n, recordedAt: stamp(40) }],
        // A state that cannot be serialised fails after the ledger rows were written.
        teacherStates: [{ teacherId: 't9', state: { broken: 1n } }],
      };
      await expect(store.applyBatch(failing)).rejects.toThrow();
      expect(await store.checkpoint('ledger')).toBe(30n);
      expect(await store.digest()).toBe(digest);
      expect(
        await store.figures({ indicators: INDICATORS, asOf: '2025-12-31', by: 'province' }),
      ).toEqual(before);
      expect(await store.teacherState('t9')).toBeUndefined();
      expect(await store.positionAt(stamp(45))).toBe(30n);
    });

    it('keeps the latest state per teacher and programme for the projection to resume', async () => {
      const store = await loaded();
      expect(await store.teacherState('t2')).toEqual({ teacherId: 't2', employed: true });
      await store.applyBatch({
        projection: 'ledger',
        after: 30n,
        checkpoint: 31n,
        teacherStates: [
          { teacherId: 't2', state: { step: 1 } },
          { teacherId: 't2', state: { step: 2 } },
        ],
        programmeStates: [{ programmeId: 'dt-2025-01', state: { topics: ['digital-materials'] } }],
      });
      expect(await store.teacherState('t2')).toEqual({ step: 2 });
      expect(await store.teacherState('nobody')).toBeUndefined();
      expect(await store.programmeStates()).toEqual(
        new Map([['dt-2025-01', { topics: ['digital-materials'] }]]),
      );
    });

    it('applyBulk: parts written out of position order, then one checkpoint, answer as one batch does', async () => {
      const whole = await loaded();
      const store = await fresh();
      const batch = fullBatch();
      // By teacher, in reverse: each part's rows and stamps are far from position order.
      const teachers = ['t4', 't3', 't2', 't1'];
      for (const teacherId of teachers) {
        const rows = ROWS.filter((r) => r.teacherId === teacherId);
        await store.applyBulk({
          upTo: 30n,
          rows,
          teacherStates: batch.teacherStates!.filter((t) => t.teacherId === teacherId),
          positions: positionsOf(rows, []),
        });
      }
      await store.applyBulk({
        upTo: 30n,
        unitEvents: batch.unitEvents!,
        positions: positionsOf([], batch.unitEvents!),
      });
      expect(await store.checkpoint('ledger')).toBeNull();
      await store.setCheckpoint('ledger', 30n);
      expect(await store.checkpoint('ledger')).toBe(30n);
      expect(await store.digest()).toBe(await whole.digest());
      expect(await store.teacherStates()).toEqual(await whole.teacherStates());
      expect(await store.unitEvents()).toEqual(await whole.unitEvents());
      for (const knownAt of [undefined, 19n, 20n, 29n])
        expect(
          await store.figures({
            indicators: INDICATORS,
            asOf: '2025-12-31',
            by: 'unit',
            ...(knownAt === undefined ? {} : { knownAt }),
          }),
        ).toEqual(
          await whole.figures({
            indicators: INDICATORS,
            asOf: '2025-12-31',
            by: 'unit',
            ...(knownAt === undefined ? {} : { knownAt }),
          }),
        );
      for (const at of [10, 14, 15, 20, 25])
        expect(await store.positionAt(stamp(at))).toBe(await whole.positionAt(stamp(at)));
      expect(
        await store.history({ indicators: INDICATORS, indicator: MASTER, scope: 'province' }),
      ).toEqual(
        await whole.history({ indicators: INDICATORS, indicator: MASTER, scope: 'province' }),
      );
    });

    it('keeps the unit events with positions, and turns an instant into a position', async () => {
      const store = await loaded();
      expect(await store.unitEvents()).toEqual([...UNIT_EVENTS, LATE_MERGE]);
      expect(await store.unitEvents(29n)).toEqual(UNIT_EVENTS);
      expect(await store.positionAt(stamp(20))).toBe(20n);
      expect(await store.positionAt(new Date(Date.parse(stamp(20)) + 1).toISOString())).toBe(20n);
      expect(await store.positionAt(new Date(Date.parse(stamp(20)) - 1).toISOString())).toBe(15n);
      expect(await store.positionAt('2024-01-01T00:00:00Z')).toBeNull();
    });
  });

  describe('figures', () => {
    it('province: sums every unit, and the meets-standard rule counts college units only', async () => {
      const store = await loaded();
      const rows = await store.figures({
        indicators: INDICATORS,
        asOf: '2025-12-31',
        by: 'province',
      });
      expect(rows).toHaveLength(2);
      expect(figure(rows, MASTER, 'province')).toEqual([3, 4, 0.75]);
      // t2's denominator row at centre ttA is not counted: ttA is not a college.
      expect(figure(rows, QUALIFIED, 'province')).toEqual([1, 1, 1]);
      expect(rows[0]).toMatchObject({ asOf: '2025-12-31' });
    });

    it('as of an earlier date counts only deltas valid by then', async () => {
      const store = await loaded();
      const rows = await store.figures({
        indicators: INDICATORS,
        asOf: '2024-03-15',
        by: 'province',
      });
      expect(figure(rows, MASTER, 'province')).toEqual([0, 3, 0]);
      expect(figure(rows, QUALIFIED, 'province')).toEqual([1, 1, 1]);
      const none = await store.figures({
        indicators: INDICATORS,
        asOf: '2023-12-31',
        by: 'province',
      });
      expect(figure(none, MASTER, 'province')).toEqual([0, 0, null]);
    });

    it('by unit: merged units count under the unit they were merged into, chains included', async () => {
      const store = await loaded();
      const august = await store.figures({
        indicators: INDICATORS,
        asOf: '2025-08-01',
        by: 'unit',
      });
      expect(scopes(august, MASTER)).toEqual(['unit:cdbk', 'unit:ttB', 'unit:ttC']);
      expect(figure(august, MASTER, 'unit:ttB')).toEqual([2, 2, 1]);
      expect(figure(august, MASTER, 'unit:ttC')).toEqual([0, 1, 0]);
      expect(figure(august, QUALIFIED, 'unit:ttB')).toEqual([0, 0, null]);
      expect(figure(august, QUALIFIED, 'unit:cdbk')).toEqual([1, 1, 1]);
      const december = await store.figures({
        indicators: INDICATORS,
        asOf: '2025-12-31',
        by: 'unit',
      });
      expect(scopes(december, MASTER)).toEqual(['unit:cdbk', 'unit:ttC']);
      expect(figure(december, MASTER, 'unit:ttC')).toEqual([2, 3, 2 / 3]);
      // Before the merge, history stays with the old unit.
      const june = await store.figures({ indicators: INDICATORS, asOf: '2025-06-30', by: 'unit' });
      expect(figure(june, MASTER, 'unit:ttA')).toEqual([1, 1, 1]);
    });

    it('by area: the area of the unit merged into, on the date asked', async () => {
      const store = await loaded();
      const september = await store.figures({
        indicators: INDICATORS,
        asOf: '2025-09-15',
        by: 'area',
      });
      expect(scopes(september, MASTER)).toEqual(['area:bk-city', 'area:tn-city']);
      expect(figure(september, MASTER, 'area:tn-city')).toEqual([2, 3, 2 / 3]);
      const december = await store.figures({
        indicators: INDICATORS,
        asOf: '2025-12-31',
        by: 'area',
      });
      expect(scopes(december, MASTER)).toEqual(['area:bk-city', 'area:thai-nguyen']);
      expect(figure(december, MASTER, 'area:thai-nguyen')).toEqual([2, 3, 2 / 3]);
      expect(figure(december, MASTER, 'area:bk-city')).toEqual([1, 1, 1]);
    });

    it('by kind: the kind of the unit merged into; every kind listed, 0/0 as null', async () => {
      const store = await loaded();
      const june = await store.figures({ indicators: INDICATORS, asOf: '2025-06-30', by: 'kind' });
      expect(scopes(june, MASTER)).toEqual([
        'kind:college',
        'kind:other',
        'kind:private',
        'kind:vet-centre',
      ]);
      expect(figure(june, MASTER, 'kind:vet-centre')).toEqual([2, 2, 1]);
      expect(figure(june, QUALIFIED, 'kind:vet-centre')).toEqual([0, 0, null]);
      const december = await store.figures({
        indicators: INDICATORS,
        asOf: '2025-12-31',
        by: 'kind',
      });
      expect(figure(december, MASTER, 'kind:private')).toEqual([2, 3, 2 / 3]);
      expect(figure(december, MASTER, 'kind:vet-centre')).toEqual([0, 0, null]);
      expect(figure(december, MASTER, 'kind:other')).toEqual([0, 0, null]);
      expect(figure(december, QUALIFIED, 'kind:college')).toEqual([1, 1, 1]);
    });

    it('known at a position before a late row or late merge does not see it; after, it does', async () => {
      const store = await loaded();
      const before = await store.figures({
        indicators: INDICATORS,
        asOf: '2025-12-31',
        knownAt: 19n,
        by: 'unit',
      });
      // Neither t2's late degree (20) nor the ttB → ttC merge (30) is known yet.
      expect(scopes(before, MASTER)).toEqual(['unit:cdbk', 'unit:ttB', 'unit:ttC']);
      expect(figure(before, MASTER, 'unit:ttB')).toEqual([1, 2, 0.5]);
      const between = await store.figures({
        indicators: INDICATORS,
        asOf: '2025-12-31',
        knownAt: 20n,
        by: 'unit',
      });
      expect(figure(between, MASTER, 'unit:ttB')).toEqual([2, 2, 1]);
      const after = await store.figures({
        indicators: INDICATORS,
        asOf: '2025-12-31',
        knownAt: 30n,
        by: 'unit',
      });
      expect(after).toEqual(
        await store.figures({ indicators: INDICATORS, asOf: '2025-12-31', by: 'unit' }),
      );
      const position = await store.positionAt(stamp(19));
      const province = await store.figures({
        indicators: INDICATORS,
        asOf: '2025-12-31',
        knownAt: position!,
        by: 'province',
        indicator: MASTER,
      });
      expect(province).toEqual([
        {
          indicator: MASTER,
          scope: 'province',
          asOf: '2025-12-31',
          numerator: 2,
          denominator: 4,
          value: 0.5,
        },
      ]);
    });

    it('sees what another handle on the same version wrote since', async () => {
      const reader = await loaded();
      const writer = await harness.open(reader.version);
      stores.push(writer);
      expect(
        figure(
          await reader.figures({ indicators: INDICATORS, asOf: '2025-12-31', by: 'province' }),
          MASTER,
          'province',
        ),
      ).toEqual([3, 4, 0.75]);
      await writer.applyBatch({
        projection: 'ledger',
        after: 30n,
        checkpoint: 31n,
        rows: [
          {
            indicator: MASTER,
            unitId: 'ttC',
            validFrom: '2025-01-01',
            position: 31n,
            dNumerator: 1,
            dDenominator: 0,
            eventId: 'ev-31',
            teacherId: 't4',
          },
        ],
      });
      // Concurrent queries on the stale handle must merge the new row once.
      const concurrent = await Promise.all(
        [1, 2, 3].map(() =>
          reader.figures({ indicators: INDICATORS, asOf: '2025-12-31', by: 'province' }),
        ),
      );
      for (const rows of concurrent) expect(figure(rows, MASTER, 'province')).toEqual([4, 4, 1]);
      expect(
        figure(
          await reader.figures({ indicators: INDICATORS, asOf: '2025-12-31', by: 'province' }),
          MASTER,
          'province',
        ),
      ).toEqual([4, 4, 1]);
      expect(
        figure(
          await reader.figures({
            indicators: INDICATORS,
            asOf: '2025-12-31',
            knownAt: 30n,
            by: 'province',
          }),
          MASTER,
          'province',
        ),
      ).toEqual([3, 4, 0.75]);
    });
  });

  describe('audit', () => {
    it('history gives every row its recording time when a batch stamps only where each run of one time ends', async () => {
      // Recorded five positions at a time (an import's transaction), stamped as the
      // ledger applier stamps: the last position of each run in the batch, and the batch's last.
      const recorded = (position: bigint) => stamp(Math.floor(Number(position) / 5) * 5);
      const store = await fresh();
      for (const batch of splitBatches()) {
        const positions = (batch.positions ?? []).map((p) => ({
          position: p.position,
          recordedAt: recorded(p.position),
        }));
        await store.applyBatch({
          ...batch,
          positions: positions.filter((p, i) => positions[i + 1]?.recordedAt !== p.recordedAt),
        });
      }
      const rows = [
        ...(await store.history({ indicators: INDICATORS, indicator: MASTER, scope: 'province' })),
        ...(await store.history({
          indicators: INDICATORS,
          indicator: QUALIFIED,
          scope: 'province',
        })),
      ];
      expect(rows.length).toBeGreaterThan(6);
      expect(rows.map((r) => [r.position, r.recordedAt])).toEqual(
        rows.map((r) => [r.position, recorded(r.position)]),
      );
    });

    it('history lists the rows that moved a figure, in position order, with when they were recorded', async () => {
      const store = await loaded();
      const rows = await store.history({
        indicators: INDICATORS,
        indicator: MASTER,
        scope: 'unit:ttC',
      });
      expect(
        rows.map((r) => [
          r.position,
          r.teacherId,
          r.unitId,
          r.validFrom,
          r.dNumerator,
          r.dDenominator,
        ]),
      ).toEqual([
        [13n, 't2', 'ttA', '2024-02-01', 0, 1],
        [14n, 't3', 'ttB', '2024-05-01', 1, 1],
        [15n, 't4', 'ttC', '2024-01-01', 0, 1],
        [20n, 't2', 'ttA', '2024-04-01', 1, 0],
      ]);
      expect(rows[3]).toMatchObject({ eventId: 'ev-20', recordedAt: stamp(20), indicator: MASTER });
      const known = await store.history({
        indicators: INDICATORS,
        indicator: MASTER,
        scope: 'unit:ttB',
        asOf: '2025-12-31',
        knownAt: 19n,
      });
      expect(known.map((r) => r.position)).toEqual([13n, 14n]);
      expect(
        await store.history({
          indicators: INDICATORS,
          indicator: QUALIFIED,
          scope: 'kind:vet-centre',
          asOf: '2025-06-30',
        }),
      ).toEqual([]);
    });

    it('teachersBehind gives each teacher’s contribution on the date', async () => {
      const store = await loaded();
      expect(
        await store.teachersBehind({
          indicators: INDICATORS,
          indicator: MASTER,
          scope: 'unit:ttC',
          asOf: '2025-12-31',
        }),
      ).toEqual([
        { teacherId: 't2', numerator: 1, denominator: 1 },
        { teacherId: 't3', numerator: 1, denominator: 1 },
        { teacherId: 't4', numerator: 0, denominator: 1 },
      ]);
      expect(
        await store.teachersBehind({
          indicators: INDICATORS,
          indicator: MASTER,
          scope: 'area:cho-moi',
          asOf: '2024-04-15',
          knownAt: 19n,
        }),
      ).toEqual([{ teacherId: 't2', numerator: 0, denominator: 1 }]);
    });

    it('digest: equal for the same rows applied in other batches, different when one row differs', async () => {
      const one = await loaded();
      const split = await fresh();
      for (const batch of splitBatches()) await split.applyBatch(batch);
      expect(await split.digest()).toBe(await one.digest());
      expect(await one.digest()).toMatch(/^[0-9a-f]{64}$/);
      const changed = await fresh();
      await changed.applyBatch({
        ...fullBatch(),
        rows: ROWS.map((r, i) => (i === 4 ? { ...r, validFrom: '2024-02-02' } : r)),
      });
      expect(await changed.digest()).not.toBe(await one.digest());
      const noMerge = await fresh();
      await noMerge.applyBatch({ ...fullBatch(), unitEvents: UNIT_EVENTS });
      expect(await noMerge.digest()).not.toBe(await one.digest());
    });

    it('digest: SHA-256 of the ledger rows in key order, then the unit events in position order, one line each', async () => {
      const store = await loaded();
      const order = (a: (typeof ROWS)[number], b: (typeof ROWS)[number]): number => {
        const keys = (r: (typeof ROWS)[number]) =>
          [
            r.indicator,
            r.unitId,
            r.validFrom,
            r.position,
            r.teacherId,
            r.eventId,
            r.dNumerator,
            r.dDenominator,
          ] as const;
        const [x, y] = [keys(a), keys(b)];
        for (let i = 0; i < x.length; i++) {
          const [p, q] = [x[i] as string | number | bigint, y[i] as string | number | bigint];
          if (p !== q) return p < q ? -1 : 1;
        }
        return 0;
      };
      const lines = [...ROWS]
        .sort(order)
        .map(
          (r) =>
            `L\t${r.indicator}\t${r.unitId}\t${r.validFrom}\t${r.position}\t${r.dNumerator}\t${r.dDenominator}\t${r.eventId}\t${r.teacherId}\n`,
        )
        .concat(
          [...UNIT_EVENTS, LATE_MERGE]
            .sort((a, b) => (a.position < b.position ? -1 : 1))
            .map(
              (e) =>
                `U\t${e.position}\t${e.recordedAt}\t${e.id}\t${e.type}\t${JSON.stringify(e.data)}\n`,
            ),
        );
      expect(await store.digest()).toBe(createHash('sha256').update(lines.join('')).digest('hex'));
    });

    it('reset empties the version for a rebuild', async () => {
      const store = await loaded();
      const empty = await (await fresh()).digest();
      await store.figures({ indicators: INDICATORS, asOf: '2025-12-31', by: 'unit' });
      await store.reset();
      expect(await store.checkpoint('ledger')).toBeNull();
      expect(await store.digest()).toBe(empty);
      expect(
        figure(
          await store.figures({ indicators: INDICATORS, asOf: '2025-12-31', by: 'province' }),
          MASTER,
          'province',
        ),
      ).toEqual([0, 0, null]);
      await store.applyBatch(fullBatch());
      expect(
        figure(
          await store.figures({ indicators: INDICATORS, asOf: '2025-12-31', by: 'province' }),
          MASTER,
          'province',
        ),
      ).toEqual([3, 4, 0.75]);
    });

    it('a rebuild with deferred indexes answers the same before and after building them', async () => {
      const reference = await loaded();
      const expected = await reference.figures({
        indicators: INDICATORS,
        asOf: '2025-08-01',
        by: 'unit',
        knownAt: 19n,
      });
      const store = await fresh();
      await store.reset({ deferIndexes: true });
      for (const batch of splitBatches()) await store.applyBatch(batch);
      expect(
        await store.figures({
          indicators: INDICATORS,
          asOf: '2025-08-01',
          by: 'unit',
          knownAt: 19n,
        }),
      ).toEqual(expected);
      await store.buildIndexes();
      await store.buildIndexes();
      expect(
        await store.figures({
          indicators: INDICATORS,
          asOf: '2025-08-01',
          by: 'unit',
          knownAt: 19n,
        }),
      ).toEqual(expected);
      expect(
        await store.history({ indicators: INDICATORS, indicator: MASTER, scope: 'unit:ttC' }),
      ).toEqual(
        await reference.history({ indicators: INDICATORS, indicator: MASTER, scope: 'unit:ttC' }),
      );
      expect(await store.digest()).toBe(await reference.digest());
    });

    it('deferIndexes on an empty ledger: the same rows, figures and digest once built', async () => {
      const reference = await loaded();
      const store = await fresh();
      await store.deferIndexes();
      for (const batch of splitBatches()) await store.applyBatch(batch);
      await store.buildIndexes();
      expect(await store.digest()).toBe(await reference.digest());
      const q = { indicators: INDICATORS, asOf: '2025-08-01', by: 'unit', knownAt: 19n } as const;
      expect(await store.figures(q)).toEqual(await reference.figures(q));
    });

    it('blue-green: a new version is built beside the old and activated', async () => {
      const blue = await loaded();
      await blue.activate(blue.version);
      const green = await fresh();
      for (const batch of splitBatches()) await green.applyBatch(batch);
      // Stamps kept per batch: instants inside, at the end of and between batches.
      expect(await green.positionAt(stamp(12))).toBe(12n);
      expect(await green.positionAt(stamp(14))).toBe(14n);
      expect(await green.positionAt(stamp(16))).toBe(15n);
      expect(await green.positionAt(stamp(29))).toBe(20n);
      const stillBlue = await harness.open();
      stores.push(stillBlue);
      expect(stillBlue.version).toBe(blue.version);
      await green.activate(green.version);
      const reopened = await harness.open();
      stores.push(reopened);
      expect(reopened.version).toBe(green.version);
      expect(await reopened.activeVersion()).toBe(green.version);
      expect(await reopened.digest()).toBe(await blue.digest());
      await expect(green.activate('Bad Version')).rejects.toThrow(/must match/);
    });
  });
};
