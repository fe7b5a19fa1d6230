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

/** Σ deltas per (indicator, unit, valid date), kept in the same transaction as the ledger. */
export interface LedgerAggTable {
  indicator: string;
  unit_id: string;
  valid_from: string;
  d_num: Int;
  d_den: Int;
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

export interface PositionsTable {
  position: Int;
  recorded_at: string;
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
  ledger_agg: LedgerAggTable;
  teacher_state: StateTable;
  programme_state: StateTable;
  unit_events: UnitEventsTable;
  positions: PositionsTable;
  checkpoints: CheckpointsTable;
  meta: MetaTable;
}

export const TABLES = [
  'ledger',
  'ledger_agg',
  'teacher_state',
  'programme_state',
  'unit_events',
  'positions',
  'checkpoints',
  'meta',
] as const;

/**
 * Table definitions, with the text type and integer type of each engine. Text is
 * compared byte-wise on both (PostgreSQL `COLLATE "C"`), so ordered reads — and
 * the digest — are identical on both stores.
 */
export const ddl = (text: string, int: string, prefix: string): string[] => [
  `create table ${prefix}ledger (
     indicator ${text} not null, unit_id ${text} not null, valid_from ${text} not null,
     position ${int} not null, d_num ${int} not null, d_den ${int} not null,
     event_id ${text} not null, teacher_id ${text} not null)`,
  `create index ledger_by_position on ${prefix}ledger (position)`,
  `create index ledger_by_figure on ${prefix}ledger (indicator, unit_id, valid_from)`,
  `create table ${prefix}ledger_agg (
     indicator ${text} not null, unit_id ${text} not null, valid_from ${text} not null,
     d_num ${int} not null, d_den ${int} not null,
     primary key (indicator, unit_id, valid_from))`,
  `create table ${prefix}teacher_state (id ${text} primary key, state ${text} not null)`,
  `create table ${prefix}programme_state (id ${text} primary key, state ${text} not null)`,
  `create table ${prefix}unit_events (
     position ${int} primary key, recorded_at ${text} not null, event_id ${text} not null,
     type ${text} not null, unit_id ${text} not null, data ${text} not null)`,
  `create table ${prefix}positions (position ${int} primary key, recorded_at ${text} not null)`,
  `create index positions_by_time on ${prefix}positions (recorded_at)`,
  `create table ${prefix}checkpoints (name ${text} primary key, position ${int} not null)`,
  `create table ${prefix}meta (key ${text} primary key, value ${text} not null)`,
];
