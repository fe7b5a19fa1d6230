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
