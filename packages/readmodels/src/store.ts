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
  return {
    version,
    location,
    applyBatch: (batch) => writer.applyBatch(batch),
    applyBulk: (batch) => writer.applyBulk(batch),
    setCheckpoint: (name, position) => writer.setCheckpoint(name, position),
    teacherState: (teacherId) => writer.teacherState(teacherId),
    teacherStates: () => writer.teacherStates(),
    programmeStates: () => writer.programmeStates(),
    checkpoint: (projection) => queries.checkpoint(projection),
    unitEvents: (knownAt) => queries.unitEvents(knownAt),
    positionAt: (instant) => queries.positionAt(instant),
    figures: (query) => queries.figures(query),
    history: (query) => queries.history(query),
    teachersBehind: (query) => queries.teachersBehind(query),
    digest: () => queries.digest(),
    ledgerCheck: (projection) => queries.ledgerCheck(projection),
    reset: (options) => admin.reset(options),
    deferIndexes: () => admin.deferIndexes(),
    buildIndexes: () => admin.buildIndexes(),
    instanceId: () => admin.instanceId(),
    activate: (v) => admin.activate(v),
    activeVersion: () => admin.activeVersion(),
    close: () => engine.close(),
  };
};
