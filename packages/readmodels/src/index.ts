export * from './types.js';
export { openSqliteReadModel, sqliteVersionFile, type SqliteReadModelOptions } from './sqlite.js';
export { openPostgresReadModel, type PostgresReadModelOptions } from './postgres.js';
