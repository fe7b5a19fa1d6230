import type { DeltaRow, IndicatorDefinition } from '@nhagiao/domain';
import type { LedgerBatch, UnitEventRecord } from '../types.js';

/** A small deterministic PRNG (mulberry32), so generated ledgers are the same on every run. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export const PLAN_INDICATORS: readonly IndicatorDefinition[] = [
  { code: 'master-or-above', rule: { kind: 'master-or-above' } },
  {
    code: 'college-lecturers-qualified',
    rule: { kind: 'meets-standard', standardVersion: '05/2024', unitKind: 'college' },
  },
  {
    code: 'trained-curriculum-outcomes',
    rule: { kind: 'trained', topic: 'curriculum-outcomes', countFrom: '2024-01-01' },
  },
  {
    code: 'trained-quality-accreditation',
    rule: { kind: 'trained', topic: 'quality-accreditation', countFrom: '2024-01-01' },
  },
  {
    code: 'trained-digital-materials',
    rule: { kind: 'trained', topic: 'digital-materials', countFrom: '2024-01-01' },
  },
  {
    code: 'trained-digital-transformation',
    rule: { kind: 'trained', topic: 'digital-transformation', countFrom: '2024-01-01' },
  },
];

const day = (epochDay: number): string =>
  new Date(epochDay * 86_400_000).toISOString().slice(0, 10);
const DAY_2015 = Date.UTC(2015, 0, 1) / 86_400_000;
const DAY_2026 = Date.UTC(2026, 0, 1) / 86_400_000;

export interface GeneratedLedger {
  readonly unitEvents: UnitEventRecord[];
  /** One entry per event, in position order: the rows it wrote (possibly none). */
  readonly events: {
    position: bigint;
    recordedAt: string;
    teacherId: string | null;
    rows: DeltaRow[];
  }[];
  readonly rowCount: number;
}

/**
 * A plausible ledger: `units` units (one college, centres and private ones, a
 * merge chain and an area change) and `teachers` teachers who are hired, gain
 * degrees and completions (some recorded late), move and leave.
 */
export const generateLedger = (options: {
  teachers: number;
  units: number;
  seed?: number;
  rounds?: number;
}): GeneratedLedger => {
  const random = prng(options.seed ?? 423);
  const pick = (n: number): number => Math.floor(random() * n);
  const unitEvents: UnitEventRecord[] = [];
  const events: GeneratedLedger['events'] = [];
  let position = 0n;
  const at = (): { position: bigint; recordedAt: string } => {
    position += 1n;
    return {
      position,
      recordedAt: new Date(Date.UTC(2024, 0, 1) + Number(position) * 1000).toISOString(),
    };
  };
  const unitIds = Array.from({ length: options.units }, (_, i) => `u${String(i).padStart(2, '0')}`);
  unitIds.forEach((unitId, i) => {
    const kind = i === 0 ? 'college' : i % 4 === 3 ? 'private' : 'vet-centre';
    unitEvents.push({
      ...at(),
      id: `unit-${unitId}`,
      type: 'UnitRegistered',
      data: {
        unitId,
        name: `Đơn vị ${unitId}`,
        kind,
        area: `area-${i % 8}`,
        registeredOn: '2010-01-01',
      },
    });
  });
  const unitEvent = (event: Omit<UnitEventRecord, 'position' | 'recordedAt'>): void => {
    unitEvents.push({ ...event, ...at() } as UnitEventRecord);
  };
  if (options.units >= 4) {
    unitEvent({
      id: 'merge-1',
      type: 'UnitMerged',
      data: { unitId: 'u01', intoUnitId: 'u02', effectiveOn: '2025-07-01' },
    });
    unitEvent({
      id: 'merge-2',
      type: 'UnitMerged',
      data: { unitId: 'u02', intoUnitId: 'u03', effectiveOn: '2025-09-01' },
    });
    unitEvent({
      id: 'area-1',
      type: 'UnitAreaChanged',
      data: { unitId: 'u03', area: 'area-new', effectiveOn: '2025-10-01' },
    });
  }
  for (const e of unitEvents)
    events.push({ position: e.position, recordedAt: e.recordedAt, teacherId: null, rows: [] });

  interface Teacher {
    id: string;
    unit: string;
    hired: number;
    day: number;
    held: Set<string>;
    left: boolean;
  }
  const teachers: Teacher[] = Array.from({ length: options.teachers }, (_, i) => ({
    id: `t${i}`,
    unit: unitIds[pick(unitIds.length)]!,
    hired: 0,
    day: 0,
    held: new Set<string>(),
    left: false,
  }));
  const codes = PLAN_INDICATORS.map((d) => d.code);
  let rowCount = 0;
  const emit = (
    teacher: Teacher,
    rows: Omit<DeltaRow, 'position' | 'eventId' | 'teacherId'>[],
  ): void => {
    const stamp = at();
    const eventId = `e${stamp.position}`;
    const full = rows.map((r) => ({
      ...r,
      position: stamp.position,
      eventId,
      teacherId: teacher.id,
    }));
    rowCount += full.length;
    events.push({ ...stamp, teacherId: teacher.id, rows: full });
  };
  // Rounds over all teachers interleave their streams in the global log, as real traffic would.
  for (let round = 0; round < (options.rounds ?? 12); round += 1) {
    for (const t of teachers) {
      if (t.left) continue;
      if (round === 0) {
        t.hired = DAY_2015 + pick(DAY_2026 - DAY_2015 - 400);
        t.day = t.hired;
        emit(
          t,
          codes.map((indicator) => ({
            indicator,
            unitId: t.unit,
            validFrom: day(t.hired),
            dNumerator: 0,
            dDenominator: 1,
          })),
        );
        continue;
      }
      const step = random();
      t.day = Math.min(DAY_2026 - 1, t.day + 1 + pick(120));
      if (step < 0.05 && round > 6) {
        // Leaves: every contribution ends.
        t.left = true;
        emit(
          t,
          codes.map((indicator) => ({
            indicator,
            unitId: t.unit,
            validFrom: day(t.day),
            dNumerator: t.held.has(indicator) ? -1 : 0,
            dDenominator: -1,
          })),
        );
      } else if (step < 0.12) {
        // Transfers: contributions move to another unit.
        const to = unitIds[pick(unitIds.length)]!;
        emit(
          t,
          codes.flatMap((indicator) => {
            const n = t.held.has(indicator) ? 1 : 0;
            return [
              {
                indicator,
                unitId: t.unit,
                validFrom: day(t.day),
                dNumerator: -n,
                dDenominator: -1,
              },
              { indicator, unitId: to, validFrom: day(t.day), dNumerator: n, dDenominator: 1 },
            ];
          }),
        );
        t.unit = to;
      } else {
        // A degree, certificate or completion: one indicator's numerator, sometimes dated in the past.
        const indicator = codes[pick(codes.length)]!;
        if (t.held.has(indicator)) {
          emit(t, []);
          continue;
        }
        t.held.add(indicator);
        const valid = random() < 0.1 ? t.hired + pick(t.day - t.hired + 1) : t.day;
        emit(t, [
          { indicator, unitId: t.unit, validFrom: day(valid), dNumerator: 1, dDenominator: 0 },
        ]);
      }
    }
  }
  return { unitEvents, events, rowCount };
};

/** Splits a generated ledger into projection batches of `size` events each. */
export const batchesOf = (
  ledger: GeneratedLedger,
  size: number,
  projection = 'ledger',
): LedgerBatch[] => {
  const unitsByPosition = new Map(ledger.unitEvents.map((e) => [e.position, e]));
  const batches: LedgerBatch[] = [];
  for (let i = 0; i < ledger.events.length; i += size) {
    const slice = ledger.events.slice(i, i + size);
    const teachers = new Map<string, unknown>();
    for (const e of slice)
      if (e.teacherId !== null)
        teachers.set(e.teacherId, { teacherId: e.teacherId, seen: String(e.position) });
    batches.push({
      projection,
      after: batches[batches.length - 1]?.checkpoint ?? null,
      checkpoint: slice[slice.length - 1]!.position,
      rows: slice.flatMap((e) => e.rows),
      unitEvents: slice.flatMap((e) => {
        const u = unitsByPosition.get(e.position);
        return u === undefined ? [] : [u];
      }),
      positions: slice.map((e) => ({ position: e.position, recordedAt: e.recordedAt })),
      teacherStates: [...teachers].map(([teacherId, state]) => ({ teacherId, state })),
    });
  }
  return batches;
};
