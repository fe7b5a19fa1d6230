import type { ColumnType } from 'kysely';

/** Integers that PostgreSQL returns as strings (int8, numeric) and SQLite as numbers. */
type Int = ColumnType<string | number | bigint, bigint | number, bigint | number>;

export interface LedgerTable {
  indicator: string;
  unit_id: string;
  valid_from: string;
  position: Int;
  d_num: Int;
  d_den: Int;
  event_id: string;
  teacher_id: string;
}

/** Which (indicator, unit) pairs each batch changed, keyed by the batch's checkpoint: how caches find what to reload. */
export interface LedgerChangesTable {
  position: Int;
  indicator: string;
  unit_id: string;
}

export interface StateTable {
  id: string;
  state: string;
}

export interface UnitEventsTable {
  position: Int;
  recorded_at: string;
  event_id: string;
  type: string;
  unit_id: string;
  data: string;
}

/**
 * When each event was recorded, one row per batch: the stamps as JSON
 * `[[position, recordedAt], …]`, with the batch's position and time bounds so a
 * lookup reads only the batches around an instant.
 */
export interface PositionsTable {
  last_position: Int;
  first_position: Int;
  min_recorded_at: string;
  max_recorded_at: string;
  stamps: string;
}

export interface CheckpointsTable {
  name: string;
  position: Int;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  ledger: LedgerTable;
  ledger_changes: LedgerChangesTable;
  teacher_state: StateTable;
  programme_state: StateTable;
  unit_events: UnitEventsTable;
  positions: PositionsTable;
  checkpoints: CheckpointsTable;
  meta: MetaTable;
}

export const TABLES = [
  'ledger',
  'ledger_changes',
  'teacher_state',
  'programme_state',
  'unit_events',
  'positions',
  'checkpoints',
  'meta',
] as const;

/**
 * Table definitions, with the text and integer types of each engine and the
 * suffix that makes a keyed table clustered on its key (SQLite `without rowid`),
 * so each row written costs as few B-trees as possible. Text is compared
 * byte-wise on both (PostgreSQL `COLLATE "C"`), so ordered reads — and the
 * digest — are identical on both stores.
 */
export const ddl = (t: { text: string; int: string; keyed: string; prefix: string }): string[] => [
  // One secondary index, so a row costs two B-trees: it serves loading and
  // refreshing the in-memory sums, history, teachers behind and known-at
  // corrections, all per (indicator, unit) and position range.
  `create table ${t.prefix}ledger (
     indicator ${t.text} not null, unit_id ${t.text} not null, valid_from ${t.text} not null,
     position ${t.int} not null, d_num ${t.int} not null, d_den ${t.int} not null,
     event_id ${t.text} not null, teacher_id ${t.text} not null)`,
  `create table ${t.prefix}ledger_changes (
     position ${t.int} not null, indicator ${t.text} not null, unit_id ${t.text} not null,
     primary key (position, indicator, unit_id))${t.keyed}`,
  // States are large rows (a teacher's: ~900 bytes): a rowid table with a key
  // index takes them faster than a clustered one (80,000 states written in id
  // order: 1.3 s against 2.4 s), so these two are not `keyed`.
  `create table ${t.prefix}teacher_state (id ${t.text} primary key, state ${t.text} not null)`,
  `create table ${t.prefix}programme_state (id ${t.text} primary key, state ${t.text} not null)`,
  `create table ${t.prefix}unit_events (
     position ${t.int} primary key, recorded_at ${t.text} not null, event_id ${t.text} not null,
     type ${t.text} not null, unit_id ${t.text} not null, data ${t.text} not null)`,
  // One row per batch rather than per event: a rebuild writes a third fewer rows.
  `create table ${t.prefix}positions (
     last_position ${t.int} primary key, first_position ${t.int} not null,
     min_recorded_at ${t.text} not null, max_recorded_at ${t.text} not null, stamps ${t.text} not null)`,
  `create table ${t.prefix}checkpoints (name ${t.text} primary key, position ${t.int} not null)`,
  `create table ${t.prefix}meta (key ${t.text} primary key, value ${t.text} not null)`,
];

/**
 * The ledger's secondary index, apart so a rebuild can write without it and
 * build it once at the end (a sorted build is several times cheaper than
 * keeping it up to date row by row). Keyed by (indicator, unit, position) for
 * the range reads; it also carries each row's valid date and deltas, so summing
 * the ledger per (indicator, unit) as of a date (`figures()` summed in the
 * database, the known-at corrections, loading the in-memory sums) reads the
 * index alone, in key order, never the table (see the package README).
 */
export const LEDGER_INDEX = 'ledger_by_key';
export const createIndexes = (prefix: string): string[] => [
  `create index if not exists ${LEDGER_INDEX} on ${prefix}ledger (indicator, unit_id, position, valid_from, d_num, d_den)`,
];
export const dropIndexes = (prefix: string): string[] => [
  `drop index if exists ${prefix}${LEDGER_INDEX}`,
];
