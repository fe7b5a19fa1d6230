import { randomUUID } from 'node:crypto';
import type { Engine } from './engine.js';

/** A fresh epoch marks a (re)created version, so caches of other handles notice a reset. */
export const newEpoch = (): string => randomUUID();

/**
 * The layout of the read-model tables. A read model is derived data: one written
 * by another layout is dropped and rebuilt from the log (its checkpoint goes with
 * it), never read with queries that do not fit it. Change this string whenever
 * a table or a stored state format changes.
 */
export const SCHEMA_VERSION = 'nhagiao-readmodel-3';

/** Creates the tables, or recreates them when they were written by another layout. */
export const ensureCurrentSchema = async (engine: Engine): Promise<void> => {
  await engine.ensureTables();
  const row = await engine.db
    .selectFrom('meta')
    .select('value')
    .where('key', '=', 'schema')
    .executeTakeFirst();
  if (row?.value === SCHEMA_VERSION) return;
  await engine.dropTables();
  await engine.ensureTables();
};
