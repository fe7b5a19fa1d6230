import type { DeltaRow, IndicatorDefinition } from '@nhagiao/domain';
import type { LedgerBatch, PositionStamp, UnitEventRecord } from '../types.js';

export const MASTER = 'master-or-above';
export const QUALIFIED = 'college-lecturers-qualified';

export const INDICATORS: readonly IndicatorDefinition[] = [
  { code: MASTER, rule: { kind: 'master-or-above' } },
  {
    code: QUALIFIED,
    rule: { kind: 'meets-standard', standardVersion: '05/2024', unitKind: 'college' },
  },
];

export const stamp = (position: number): string =>
  new Date(Date.UTC(2025, 0, 1) + position * 3_600_000).toISOString();

const unitEvent = (
  position: number,
  event: Omit<UnitEventRecord, 'id' | 'position' | 'recordedAt'>,
): UnitEventRecord =>
  ({
    ...event,
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    position: BigInt(position),
    recordedAt: stamp(position),
  }) as UnitEventRecord;

/**
 * Four units: the college cdbk; centre ttA merged into ttB on 2025-07-01, ttB
 * merged into the private ttC on 2025-09-01 (that merge recorded late, at
 * position 30); ttC moves area on 2025-10-01.
 */
export const UNIT_EVENTS: readonly UnitEventRecord[] = [
  unitEvent(1, {
    type: 'UnitRegistered',
    data: {
      unitId: 'cdbk',
      name: 'Trường CĐ Bắc Kạn',
      kind: 'college',
      area: 'bk-city',
      registeredOn: '2020-01-01',
    },
  }),
  unitEvent(2, {
    type: 'UnitRegistered',
    data: {
      unitId: 'ttA',
      name: 'TT Chợ Mới',
      kind: 'vet-centre',
      area: 'cho-moi',
      registeredOn: '2020-01-01',
    },
  }),
  unitEvent(3, {
    type: 'UnitRegistered',
    data: {
      unitId: 'ttB',
      name: 'TT Bạch Thông',
      kind: 'vet-centre',
      area: 'bach-thong',
      registeredOn: '2020-01-01',
    },
  }),
  unitEvent(4, {
    type: 'UnitRegistered',
    data: {
      unitId: 'ttC',
      name: 'Cơ sở tư thục C',
      kind: 'private',
      area: 'tn-city',
      registeredOn: '2020-01-01',
    },
  }),
  unitEvent(5, {
    type: 'UnitMerged',
    data: { unitId: 'ttA', intoUnitId: 'ttB', effectiveOn: '2025-07-01' },
  }),
  unitEvent(6, {
    type: 'UnitAreaChanged',
    data: { unitId: 'ttC', area: 'thai-nguyen', effectiveOn: '2025-10-01' },
  }),
];
export const LATE_MERGE: UnitEventRecord = unitEvent(30, {
  type: 'UnitMerged',
  data: { unitId: 'ttB', intoUnitId: 'ttC', effectiveOn: '2025-09-01' },
});

const row = (
  position: number,
  teacherId: string,
  unitId: string,
  indicator: string,
  validFrom: string,
  dNumerator: number,
  dDenominator: number,
): DeltaRow => ({
  indicator,
  unitId,
  validFrom,
  position: BigInt(position),
  dNumerator,
  dDenominator,
  eventId: `ev-${position}`,
  teacherId,
});

/** Teachers t1 (college), t2 (ttA), t3 (ttB), t4 (ttC); t2's master's degree is recorded late (position 20). */
export const ROWS: readonly DeltaRow[] = [
  row(10, 't1', 'cdbk', MASTER, '2024-01-01', 0, 1),
  row(10, 't1', 'cdbk', QUALIFIED, '2024-01-01', 0, 1),
  row(11, 't1', 'cdbk', MASTER, '2024-06-01', 1, 0),
  row(12, 't1', 'cdbk', QUALIFIED, '2024-03-01', 1, 0),
  row(13, 't2', 'ttA', MASTER, '2024-02-01', 0, 1),
  row(13, 't2', 'ttA', QUALIFIED, '2024-02-01', 0, 1),
  row(14, 't3', 'ttB', MASTER, '2024-05-01', 1, 1),
  row(15, 't4', 'ttC', MASTER, '2024-01-01', 0, 1),
  row(20, 't2', 'ttA', MASTER, '2024-04-01', 1, 0),
];

export const positionsOf = (
  rows: readonly DeltaRow[],
  units: readonly UnitEventRecord[],
): PositionStamp[] => {
  const all = new Set([
    ...rows.map((r) => Number(r.position)),
    ...units.map((u) => Number(u.position)),
  ]);
  return [...all].sort((a, b) => a - b).map((p) => ({ position: BigInt(p), recordedAt: stamp(p) }));
};

/** Everything of the fixture in one batch, checkpoint 30. */
export const fullBatch = (projection = 'ledger'): LedgerBatch => ({
  projection,
  checkpoint: 30n,
  rows: ROWS,
  unitEvents: [...UNIT_EVENTS, LATE_MERGE],
  positions: positionsOf(ROWS, [...UNIT_EVENTS, LATE_MERGE]),
  teacherStates: ['t1', 't2', 't3', 't4'].map((teacherId) => ({
    teacherId,
    state: { teacherId, employed: true },
  })),
});

/** The same content as `fullBatch`, in batches split at other places. */
export const splitBatches = (projection = 'ledger'): LedgerBatch[] => {
  const units = [...UNIT_EVENTS, LATE_MERGE];
  const parts: [number, number][] = [
    [0, 12],
    [13, 15],
    [16, 30],
  ];
  return parts.map(([from, to], i) => {
    const rows = ROWS.filter((r) => r.position >= BigInt(from) && r.position <= BigInt(to));
    const unitEvents = units.filter((u) => u.position >= BigInt(from) && u.position <= BigInt(to));
    return {
      projection,
      after: i === 0 ? null : BigInt(parts[i - 1]![1]),
      checkpoint: BigInt(to),
      rows,
      unitEvents,
      positions: positionsOf(rows, unitEvents),
    };
  });
};
