import type {
  Compilable,
  Insertable,
  Kysely,
  OnConflictBuilder,
  OnConflictDatabase,
  OnConflictTables,
  OnConflictUpdateBuilder,
  Transaction,
} from 'kysely';
import type { Database } from './schema.js';

/**
 * One multi-row write: the SQL is built once with Kysely; each engine decides
 * how to run it in bulk (SQLite: one prepared statement per row; PostgreSQL:
 * large multi-row statements).
 */
export interface BulkWrite<R> {
  readonly columns: number;
  build(db: Kysely<Database>, rows: readonly R[]): Compilable & { execute(): Promise<unknown> };
  /** The row's parameters, in the order `build` binds them for a single row. */
  params(row: R): readonly unknown[];
}

type Conflict<T extends keyof Database> = (
  oc: OnConflictBuilder<Database, T>,
) =>
  | OnConflictUpdateBuilder<OnConflictDatabase<Database, T>, OnConflictTables<T>>
  | ReturnType<OnConflictBuilder<Database, T>['doNothing']>;

export const bulkWrite = <T extends keyof Database, R>(
  table: T,
  columns: readonly (keyof Database[T] & string)[],
  params: (row: R) => readonly unknown[],
  conflict?: Conflict<T>,
): BulkWrite<R> => ({
  columns: columns.length,
  params,
  build: (db, rows) => {
    const values = rows.map((row) => {
      const p = params(row);
      return Object.fromEntries(columns.map((c, i) => [c, p[i]]));
    }) as Insertable<Database[T]>[]; // the columns and params are typed by the callers above
    const insert = db.insertInto(table).values(values);
    return conflict === undefined ? insert : insert.onConflict(conflict);
  },
});

/** What differs between the SQLite and PostgreSQL stores; everything else is shared SQL. */
export interface Engine {
  readonly dialect: 'sqlite' | 'postgres';
  /** Queries on this version's tables. */
  readonly db: Kysely<Database>;
  insertMany<R>(trx: Transaction<Database>, write: BulkWrite<R>, rows: readonly R[]): Promise<void>;
  /** Runs a query and hands each row to `fn`, without holding them all in memory. */
  forEachRow(query: Compilable, fn: (row: Record<string, unknown>) => void): Promise<void>;
  /** A transaction whose reads all see one snapshot. */
  snapshot<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  /** Creates this version's tables when missing; true when it created them. */
  ensureTables(): Promise<boolean>;
  dropTables(): Promise<void>;
  /** Creates (true) or drops (false) the ledger's secondary index; creating is a no-op when it exists. */
  setIndexes(on: boolean): Promise<void>;
  getActive(): Promise<string | null>;
  setActive(version: string): Promise<void>;
  close(): Promise<void>;
  /** A driver's error as the read model's own (`ReadModelError`); any other error as it is. */
  translateError(error: unknown): unknown;
}

export const VERSION_PATTERN = /^[a-z0-9][a-z0-9_]{0,30}$/;

export const checkVersion = (version: string): string => {
  if (!VERSION_PATTERN.test(version)) {
    throw new RangeError(`read model version "${version}" must match ${VERSION_PATTERN.source}`);
  }
  return version;
};
