import { match } from 'ts-pattern';
import type { UnitKind } from '@nhagiao/domain';
import type { ResolvedUnit, UnitEventRecord } from './types.js';

interface Dated<T> {
  readonly on: string;
  readonly position: bigint;
  readonly value: T;
}

interface UnitHistory {
  readonly unitId: string;
  registeredOn: string;
  kind: UnitKind;
  names: Dated<string>[];
  areas: Dated<string>[];
  merges: Dated<string>[];
}

/** The effective-dated facts of every unit, as known from the events given. */
export interface UnitTimeline {
  readonly units: ReadonlyMap<string, UnitHistory>;
}

const byDate = <T>(a: Dated<T>, b: Dated<T>): number =>
  a.on < b.on
    ? -1
    : a.on > b.on
      ? 1
      : a.position < b.position
        ? -1
        : a.position > b.position
          ? 1
          : 0;

/** The last value effective on or before `date`. */
const valueOn = <T>(history: readonly Dated<T>[], date: string): T | undefined => {
  let found: T | undefined;
  for (const entry of history) {
    if (entry.on > date) break;
    found = entry.value;
  }
  return found;
};

export const unitTimelineFrom = (events: readonly UnitEventRecord[]): UnitTimeline => {
  const units = new Map<string, UnitHistory>();
  const sorted = [...events].sort((a, b) =>
    a.position < b.position ? -1 : a.position > b.position ? 1 : 0,
  );
  for (const event of sorted) {
    match(event)
      .with({ type: 'UnitRegistered' }, (e) => {
        const d = e.data;
        units.set(d.unitId, {
          unitId: d.unitId,
          registeredOn: d.registeredOn,
          kind: d.kind,
          names: [{ on: d.registeredOn, position: e.position, value: d.name }],
          areas: [{ on: d.registeredOn, position: e.position, value: d.area }],
          merges: [],
        });
      })
      .with({ type: 'UnitRenamed' }, (e) => {
        units
          .get(e.data.unitId)
          ?.names.push({ on: e.data.effectiveOn, position: e.position, value: e.data.name });
      })
      .with({ type: 'UnitAreaChanged' }, (e) => {
        units
          .get(e.data.unitId)
          ?.areas.push({ on: e.data.effectiveOn, position: e.position, value: e.data.area });
      })
      .with({ type: 'UnitMerged' }, (e) => {
        units
          .get(e.data.unitId)
          ?.merges.push({ on: e.data.effectiveOn, position: e.position, value: e.data.intoUnitId });
      })
      .exhaustive();
  }
  for (const unit of units.values()) {
    unit.names.sort(byDate);
    unit.areas.sort(byDate);
    unit.merges.sort(byDate);
  }
  return { units };
};

/**
 * The unit a unit's teachers count under on `date` (merges followed, chains
 * included), with that unit's name, area and kind on `date`. Undefined for a
 * unit never registered.
 */
export const resolveUnit = (
  timeline: UnitTimeline,
  unitId: string,
  date: string,
): ResolvedUnit | undefined => {
  let current = timeline.units.get(unitId);
  const seen = new Set<string>();
  while (current !== undefined && !seen.has(current.unitId)) {
    seen.add(current.unitId);
    const into = valueOn(current.merges, date);
    const next = into === undefined ? undefined : timeline.units.get(into);
    if (next === undefined) break;
    current = next;
  }
  if (current === undefined) return undefined;
  return {
    unitId: current.unitId,
    name: valueOn(current.names, date) ?? current.names[0]?.value ?? current.unitId,
    area: valueOn(current.areas, date) ?? current.areas[0]?.value ?? '',
    kind: current.kind,
  };
};

/** Units registered on or before `date`. */
export const unitsRegisteredBy = (timeline: UnitTimeline, date: string): string[] =>
  [...timeline.units.values()].filter((u) => u.registeredOn <= date).map((u) => u.unitId);
