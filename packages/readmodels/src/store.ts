import { KyselyAdmin } from './admin.js';
import type { Engine } from './engine.js';
import { type FigureSums, LedgerSums } from './figure-sums.js';
import type { ReadModelStore } from './ports.js';
import { KyselyQueries } from './queries.js';
import type { ReadModelLocation } from './types.js';
import { UnitTimelines } from './unit-timelines.js';
import { KyselyWriter } from './writer.js';

/**
 * One handle on a read-model version: its writer, query side and admin side on
 * one engine. The sides share nothing but the engine, and the caches of the
 * query side, which a reset through this handle empties at once.
 */
export const composeReadModel = (
  engine: Engine,
  version: string,
  location: ReadModelLocation,
  figureSums: FigureSums = 'memory',
): ReadModelStore => {
  const sums = new LedgerSums(engine, figureSums);
  const units = new UnitTimelines(engine.db);
  const writer = new KyselyWriter(engine, version, location);
  const queries = new KyselyQueries(engine, version, location, sums, units);
  const admin = new KyselyAdmin(engine, version, location, () => {
    sums.forget();
    units.forget();
  });
  // Every call's driver errors leave as the read model's own, the driver's kept as `cause`.
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        throw engine.translateError(error);
      }
    };
  return {
    version,
    location,
    applyBatch: guard(writer.applyBatch.bind(writer)),
    applyBulk: guard(writer.applyBulk.bind(writer)),
    setCheckpoint: guard(writer.setCheckpoint.bind(writer)),
    teacherState: guard(writer.teacherState.bind(writer)),
    teacherStates: guard(writer.teacherStates.bind(writer)),
    programmeStates: guard(writer.programmeStates.bind(writer)),
    checkpoint: guard(queries.checkpoint.bind(queries)),
    unitEvents: guard(queries.unitEvents.bind(queries)),
    positionAt: guard(queries.positionAt.bind(queries)),
    figures: guard(queries.figures.bind(queries)),
    history: guard(queries.history.bind(queries)),
    teachersBehind: guard(queries.teachersBehind.bind(queries)),
    digest: guard(queries.digest.bind(queries)),
    ledgerCheck: guard(queries.ledgerCheck.bind(queries)),
    reset: guard(admin.reset.bind(admin)),
    deferIndexes: guard(admin.deferIndexes.bind(admin)),
    buildIndexes: guard(admin.buildIndexes.bind(admin)),
    instanceId: guard(admin.instanceId.bind(admin)),
    activate: guard(admin.activate.bind(admin)),
    activeVersion: guard(admin.activeVersion.bind(admin)),
    close: guard(() => engine.close()),
  };
};
