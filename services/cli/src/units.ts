import { existsSync } from 'node:fs';
import type { DataConfig } from './config.js';
import { openStore } from './runtime.js';

/** The units of `unitIds` that the event store has no `UnitRegistered` for (all of them when there is no store yet). */
export const unregisteredUnits = async (
  config: DataConfig,
  unitIds: readonly string[],
): Promise<string[]> => {
  if (unitIds.length === 0) return [];
  if (config.store.kind === 'sqlite' && !existsSync(config.store.path)) return [...unitIds];
  const store = await openStore(config, { readOnly: true });
  try {
    const unknown: string[] = [];
    for (const unitId of unitIds) {
      let registered = false;
      for await (const e of store.readStream(`unit-${unitId}`)) {
        if (e.type === 'UnitRegistered') registered = true;
      }
      if (!registered) unknown.push(unitId);
    }
    return unknown;
  } finally {
    await store.close();
  }
};

/**
 * The units of `unitIds` merged into another by now, each with the unit it
 * lives on in and the merge's date: a key of such a unit may write nothing
 * (docs/authority.md), so none is issued for it.
 */
export const mergedUnits = async (
  config: DataConfig,
  unitIds: readonly string[],
): Promise<{ unitId: string; intoUnitId: string; effectiveOn: string }[]> => {
  if (unitIds.length === 0) return [];
  if (config.store.kind === 'sqlite' && !existsSync(config.store.path)) return [];
  const store = await openStore(config, { readOnly: true });
  try {
    const merged: { unitId: string; intoUnitId: string; effectiveOn: string }[] = [];
    for (const unitId of unitIds) {
      let into: { intoUnitId: string; effectiveOn: string } | undefined;
      for await (const e of store.readStream(`unit-${unitId}`)) {
        if (e.type === 'UnitMerged') {
          const data = e.data as { intoUnitId: string; effectiveOn: string };
          into = { intoUnitId: data.intoUnitId, effectiveOn: data.effectiveOn };
        }
      }
      if (into !== undefined) merged.push({ unitId, ...into });
    }
    return merged;
  } finally {
    await store.close();
  }
};
