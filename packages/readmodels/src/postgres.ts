import pg from 'pg';
import { Kysely, PostgresDialect, sql, type Compilable, type Transaction } from 'kysely';
import { checkVersion, type BulkWrite, type Engine } from './engine.js';
import { createIndexes, ddl, dropIndexes, LEDGER_INDEX, type Database } from './schema.js';
import type { FigureSums } from './figure-sums.js';
import type { ReadModelStore } from './ports.js';
import { describePostgresUrl, translatePostgresError } from './postgres-errors.js';
import { SCHEMA_VERSION, ensureCurrentSchema, newEpoch } from './schema-version.js';
import { composeReadModel } from './store.js';

export interface PostgresReadModelOptions {
  /** Base schema: it holds which version is active; version `v2` lives in schema `<schema>_v2`. Default `readmodels`. */
  readonly schema?: string;
  /** The version to open; default: the active one, else `v1` (which then becomes active). */
  readonly version?: string;
  /** Connections in the pool (default 4). */
  readonly poolSize?: number;
  /** Told when an idle pooled connection breaks (e.g. the server restarted). */
  readonly logger?: { warn(message: string, error: unknown): void };
  /** Where `figures()` sums the ledger (default `memory`; see `FigureSums`). */
  readonly figureSums?: FigureSums;
}

/** PostgreSQL allows 65,535 parameters in one statement. */
const MAX_PARAMETERS = 60_000;
const CURSOR_PAGE = 20_000;

/** The production read model: one PostgreSQL schema per version. */
export const openPostgresReadModel = async (
  connectionString: string,
  options: PostgresReadModelOptions = {},
): Promise<ReadModelStore> => {
  const base = checkVersion(options.schema ?? 'readmodels');
  const pool = new pg.Pool({ connectionString, max: options.poolSize ?? 4 });
  // The pool drops a broken idle connection and opens another for the next
  // query; without a listener the event would end the process.
  pool.on('error', (error) =>
    options.logger?.warn('read model: idle PostgreSQL connection lost', error),
  );
  // A connection lost while checked out (the server restarted between two
  // statements of a transaction) emits 'error' on its client: the statement in
  // flight, or the next, fails and the pool drops the client; without a
  // listener the event would end the process.
  pool.on('connect', (client) =>
    client.on('error', (error) =>
      options.logger?.warn('read model: PostgreSQL connection lost', error),
    ),
  );
  const root = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const control = sql.table(`${base}.active_version`);
  const database = describePostgresUrl(connectionString);
  try {
    await sql`create schema if not exists ${sql.id(base)}`.execute(root);
    await sql`create table if not exists ${control} (id integer primary key check (id = 1), version text not null)`.execute(
      root,
    );
  } catch (error) {
    await root.destroy();
    throw translatePostgresError(error, `read model at ${database}`);
  }
  const getActive = async (): Promise<string | null> => {
    const { rows } = await sql<{
      version: string;
    }>`select version from ${control} where id = 1`.execute(root);
    return rows[0]?.version ?? null;
  };
  const setActive = async (version: string): Promise<void> => {
    await sql`insert into ${control} (id, version) values (1, ${version})
              on conflict (id) do update set version = excluded.version`.execute(root);
  };
  let version: string;
  try {
    const active = await getActive();
    version = checkVersion(options.version ?? active ?? 'v1');
    if (active === null) await setActive(version);
  } catch (error) {
    await root.destroy();
    throw translatePostgresError(error, `read model at ${database}`);
  }
  const where = `read model ${version} (schema ${base}_${version} at ${database})`;

  const schema = `${base}_${version}`;
  const db = root.withSchema(schema);

  const engine: Engine = {
    dialect: 'postgres',
    db,
    async insertMany<R>(trx: Transaction<Database>, write: BulkWrite<R>, rows: readonly R[]) {
      const perStatement = Math.floor(MAX_PARAMETERS / write.columns);
      for (let i = 0; i < rows.length; i += perStatement) {
        await write.build(trx, rows.slice(i, i + perStatement)).execute();
      }
    },
    async forEachRow(query: Compilable, fn: (row: Record<string, unknown>) => void) {
      const compiled = query.compile();
      const client = await pool.connect();
      let open = false;
      try {
        await client.query('begin isolation level repeatable read read only');
        open = true;
        await client.query(`declare rows_cursor no scroll cursor for ${compiled.sql}`, [
          ...compiled.parameters,
        ]);
        for (;;) {
          const page = await client.query(`fetch ${CURSOR_PAGE} from rows_cursor`);
          if (page.rows.length === 0) break;
          for (const row of page.rows) fn(row as Record<string, unknown>);
        }
        await client.query('commit');
        open = false;
      } finally {
        if (open) await client.query('rollback').catch(() => undefined);
        client.release();
      }
    },
    snapshot: (fn) => db.transaction().setIsolationLevel('repeatable read').execute(fn),
    async ensureTables() {
      return root.transaction().execute(async (trx) => {
        // Two processes opening a new version at once must not both create it.
        await sql`select pg_advisory_xact_lock(hashtext(${schema}))`.execute(trx);
        const { rows } = await sql`select 1 from information_schema.tables
                                   where table_schema = ${schema} and table_name = 'meta'`.execute(
          trx,
        );
        if (rows.length > 0) return false;
        await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
        for (const statement of ddl({
          text: 'text collate "C"',
          int: 'bigint',
          keyed: '',
          prefix: `"${schema}".`,
        })) {
          await sql.raw(statement).execute(trx);
        }
        for (const statement of createIndexes(`"${schema}".`))
          await sql.raw(statement).execute(trx);
        await trx
          .withSchema(schema)
          .insertInto('meta')
          .values([
            { key: 'epoch', value: newEpoch() },
            { key: 'schema', value: SCHEMA_VERSION },
          ])
          .execute();
        return true;
      });
    },
    async dropTables() {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(root);
    },
    async setIndexes(on) {
      if (on) {
        const { rows } = await sql`select 1 from pg_indexes
                                   where schemaname = ${schema} and indexname = ${LEDGER_INDEX}`.execute(
          root,
        );
        if (rows.length > 0) return;
      }
      for (const statement of on ? createIndexes(`"${schema}".`) : dropIndexes(`"${schema}".`)) {
        await sql.raw(statement).execute(root);
      }
      if (on) await sql`analyze ${sql.table(`${schema}.ledger`)}`.execute(root);
    },
    getActive,
    setActive,
    close: () => root.destroy(),
    translateError: (error) => translatePostgresError(error, where),
  };
  try {
    await ensureCurrentSchema(engine, where);
  } catch (error) {
    await root.destroy();
    throw translatePostgresError(error, where);
  }
  return composeReadModel(
    engine,
    version,
    { kind: 'postgres', url: connectionString, version },
    options.figureSums,
  );
};
