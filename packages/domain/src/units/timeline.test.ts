import type { EventData } from '../events/schemas.js';
import {
  type Positioned,
  type UnitEvent,
  applyUnitEvent,
  emptyUnitTimeline,
  resolveUnit,
  unitTimelineFrom,
} from './timeline.js';

let position = 0n;
const at = <E extends UnitEvent>(e: E): Positioned<E> => ({ ...e, position: ++position });
const registered = (data: EventData<'UnitRegistered'>) => at({ type: 'UnitRegistered', data });
const merged = (unitId: string, intoUnitId: string, effectiveOn: string) =>
  at({ type: 'UnitMerged', data: { unitId, intoUnitId, effectiveOn } });
const areaChanged = (unitId: string, area: string, effectiveOn: string) =>
  at({ type: 'UnitAreaChanged', data: { unitId, area, effectiveOn } });
const renamed = (unitId: string, name: string, effectiveOn: string) =>
  at({ type: 'UnitRenamed', data: { unitId, name, effectiveOn } });

const college = registered({
  unitId: 'cdbk',
  name: 'Trường Cao đẳng Bắc Kạn',
  kind: 'college',
  area: 'bac-kan-city',
  registeredOn: '2024-01-01',
});
const choDon = registered({
  unitId: 'ttgdnn-cho-don',
  name: 'Trung tâm GDNN-GDTX huyện Chợ Đồn',
  kind: 'vet-centre',
  area: 'cho-don',
  registeredOn: '2024-01-01',
});
const baBe = registered({
  unitId: 'ttgdnn-ba-be',
  name: 'Trung tâm GDNN-GDTX huyện Ba Bể',
  kind: 'vet-centre',
  area: 'ba-be',
  registeredOn: '2024-01-01',
});

describe('resolveUnit', () => {
  it('gives the registered name, area and kind, also for dates before registration', () => {
    const t = unitTimelineFrom([college]);
    const expected = {
      unitId: 'cdbk',
      name: 'Trường Cao đẳng Bắc Kạn',
      area: 'bac-kan-city',
      kind: 'college',
    };
    expect(resolveUnit(t, 'cdbk', '2024-06-30')).toEqual(expected);
    expect(resolveUnit(t, 'cdbk', '2019-09-01')).toEqual(expected);
    expect(resolveUnit(t, 'nowhere', '2024-06-30')).toBeUndefined();
  });

  it('keeps history with the old unit before the merge and moves it to the into-unit from effectiveOn', () => {
    const t = unitTimelineFrom([
      choDon,
      baBe,
      merged('ttgdnn-cho-don', 'ttgdnn-ba-be', '2025-07-01'),
    ]);
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-06-30')?.unitId).toBe('ttgdnn-cho-don');
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-07-01')).toEqual({
      unitId: 'ttgdnn-ba-be',
      name: 'Trung tâm GDNN-GDTX huyện Ba Bể',
      area: 'ba-be',
      kind: 'vet-centre',
    });
  });

  it('follows chained merges, each only from its own date', () => {
    const t = unitTimelineFrom([
      choDon,
      baBe,
      college,
      merged('ttgdnn-cho-don', 'ttgdnn-ba-be', '2025-03-01'),
      merged('ttgdnn-ba-be', 'cdbk', '2025-09-01'),
    ]);
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-02-28')?.unitId).toBe('ttgdnn-cho-don');
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-03-01')?.unitId).toBe('ttgdnn-ba-be');
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-09-01')).toMatchObject({
      unitId: 'cdbk',
      kind: 'college',
    });
  });

  it('uses the into-unit area on the date, whether it changed before or after the merge', () => {
    const t = unitTimelineFrom([
      choDon,
      baBe,
      areaChanged('ttgdnn-ba-be', 'thai-nguyen-north', '2025-05-01'),
      merged('ttgdnn-cho-don', 'ttgdnn-ba-be', '2025-07-01'),
      areaChanged('ttgdnn-ba-be', 'thai-nguyen-ba-be', '2025-08-01'),
      // The merged unit's own area changes no longer matter once it counts under another.
      areaChanged('ttgdnn-cho-don', 'somewhere-else', '2025-07-15'),
    ]);
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-06-30')?.area).toBe('cho-don');
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-07-01')?.area).toBe('thai-nguyen-north');
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-07-20')?.area).toBe('thai-nguyen-north');
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-08-01')?.area).toBe('thai-nguyen-ba-be');
    expect(resolveUnit(t, 'ttgdnn-ba-be', '2025-04-30')?.area).toBe('ba-be');
  });

  it('resolves a unit looked up only after it was merged (a hire into an already-merged unit)', () => {
    const t = unitTimelineFrom([
      choDon,
      baBe,
      merged('ttgdnn-cho-don', 'ttgdnn-ba-be', '2025-07-01'),
    ]);
    // A teacher hired at the old unit id on 2025-09-01 counts under the into-unit from that day.
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-09-01')?.unitId).toBe('ttgdnn-ba-be');
  });

  it('takes renames from their date, the later position winning on the same date', () => {
    const t = unitTimelineFrom([
      college,
      renamed('cdbk', 'Trường Cao đẳng Thái Nguyên 2', '2025-07-01'),
      renamed('cdbk', 'Trường Cao đẳng Bắc Thái Nguyên', '2025-07-01'),
    ]);
    expect(resolveUnit(t, 'cdbk', '2025-06-30')?.name).toBe('Trường Cao đẳng Bắc Kạn');
    expect(resolveUnit(t, 'cdbk', '2025-07-01')?.name).toBe('Trường Cao đẳng Bắc Thái Nguyên');
  });

  it('as known at a position, ignores later-recorded changes even with old valid dates', () => {
    const merge = merged('ttgdnn-cho-don', 'ttgdnn-ba-be', '2025-01-01');
    const late = areaChanged('ttgdnn-ba-be', 'corrected', '2024-06-01');
    const t = unitTimelineFrom([choDon, baBe, merge, late]);
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-02-01', merge.position - 1n)?.unitId).toBe(
      'ttgdnn-cho-don',
    );
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-02-01', merge.position)).toMatchObject({
      unitId: 'ttgdnn-ba-be',
      area: 'ba-be',
    });
    expect(resolveUnit(t, 'ttgdnn-cho-don', '2025-02-01')?.area).toBe('corrected');
    expect(resolveUnit(t, 'ttgdnn-ba-be', '2025-02-01', choDon.position)).toBeUndefined();
  });
});

describe('applyUnitEvent', () => {
  it('builds the same timeline incrementally as in one go, and ignores an event applied twice', () => {
    const events = [college, choDon, merged('ttgdnn-cho-don', 'cdbk', '2025-07-01')];
    const once = unitTimelineFrom(events);
    const incremental = [...events, ...events].reduce(applyUnitEvent, emptyUnitTimeline);
    expect(incremental).toEqual(once);
    expect(resolveUnit(incremental, 'ttgdnn-cho-don', '2025-07-01')?.unitId).toBe('cdbk');
  });

  it('leaves the earlier timeline as it was (resolutions cached on it stay right)', () => {
    const before = unitTimelineFrom([college, choDon]);
    expect(resolveUnit(before, 'ttgdnn-cho-don', '2025-08-01')?.unitId).toBe('ttgdnn-cho-don');
    const after = applyUnitEvent(before, merged('ttgdnn-cho-don', 'cdbk', '2025-07-01'));
    expect(resolveUnit(after, 'ttgdnn-cho-don', '2025-08-01')?.unitId).toBe('cdbk');
    expect(resolveUnit(before, 'ttgdnn-cho-don', '2025-08-01')?.unitId).toBe('ttgdnn-cho-don');
  });

  it('refuses a change to an unregistered unit and a second registration', () => {
    expect(() => applyUnitEvent(emptyUnitTimeline, renamed('x', 'X', '2025-01-01'))).toThrow(
      expect.objectContaining({ code: 'unknown-unit' }),
    );
    const t = unitTimelineFrom([college]);
    expect(() => applyUnitEvent(t, { ...college, position: 999n })).toThrow(
      expect.objectContaining({ code: 'already-exists' }),
    );
  });

  it('resolves 100 units on 1000 dates quickly', () => {
    const events = Array.from({ length: 100 }, (_, i) =>
      registered({
        unitId: `u${i}`,
        name: `Unit ${i}`,
        kind: 'other',
        area: `a${i % 9}`,
        registeredOn: '2024-01-01',
      }),
    );
    const merges = Array.from({ length: 50 }, (_, i) =>
      merged(`u${i}`, `u${i + 1}`, `2025-0${(i % 9) + 1}-01`),
    );
    const t = unitTimelineFrom([...events, ...merges]);
    const started = performance.now();
    let n = 0;
    for (let d = 0; d < 1000; d++) {
      const date = new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10);
      for (let u = 0; u < 100; u++) if (resolveUnit(t, `u${u}`, date) !== undefined) n++;
    }
    expect(n).toBe(100_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
