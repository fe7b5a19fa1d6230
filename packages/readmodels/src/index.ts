export * from './types.js';
export * from './ports.js';
export * from './errors.js';
export {
  openSqliteReadModel,
  pruneSqliteVersions,
  sqliteVersionFile,
  sqliteVersions,
  type SqliteReadModelOptions,
  type SqliteVersionFiles,
} from './sqlite.js';
export { openPostgresReadModel, type PostgresReadModelOptions } from './postgres.js';
export type { FigureSums } from './figure-sums.js';
// Kept for callers that took the unit timeline from here before it moved to the domain.
export { resolveUnit, unitTimelineFrom, type UnitTimeline } from '@nhagiao/domain';
