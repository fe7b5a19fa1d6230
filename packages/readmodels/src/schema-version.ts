import { randomUUID } from 'node:crypto';
import type { Engine } from './engine.js';
import { ReadModelSchemaError } from './errors.js';

/** A fresh epoch marks a (re)created version, so caches of other handles notice a reset. */
export const newEpoch = (): string => randomUUID();

/**
 * The layout of the read-model tables. A read model is derived data: one written
 * by another layout is dropped and rebuilt from the log (its checkpoint goes with
 * it), never read with queries that do not fit it. Change this string whenever
 * a table or a stored state format changes.
 */
export const SCHEMA_VERSION = 'nhagiao-readmodel-4';

const layoutNumber = (schema: string): number | undefined => {
  const match = /^nhagiao-readmodel-(\d+)$/.exec(schema);
  return match === null ? undefined : Number(match[1]);
};

/**
 * Creates the tables, or recreates them when they were written by an older
 * layout. Tables of a newer layout are left alone: this code cannot read them,
 * and dropping them would make the newer nhagiao that wrote them replay the log.
 */
export const ensureCurrentSchema = async (engine: Engine, where: string): Promise<void> => {
  await engine.ensureTables();
  const row = await engine.db
    .selectFrom('meta')
    .select('value')
    .where('key', '=', 'schema')
    .executeTakeFirst();
  if (row?.value === SCHEMA_VERSION) return;
  const stored = row === undefined ? undefined : layoutNumber(row.value);
  const ours = layoutNumber(SCHEMA_VERSION) ?? 0;
  if (stored !== undefined && stored > ours)
    throw new ReadModelSchemaError(
      `${where} was written by a newer nhagiao (table layout ${row?.value}; this one reads ${SCHEMA_VERSION}): use that nhagiao, or rebuild the read model into another version with this one`,
    );
  await engine.dropTables();
  await engine.ensureTables();
};
