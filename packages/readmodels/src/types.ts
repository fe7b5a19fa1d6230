import type { DeltaRow, IndicatorDefinition, UnitEvent } from '@nhagiao/domain';

/** A unit event as recorded: a `RecordedEvent` of one of the unit types fits. */
export type UnitEventRecord = UnitEvent & {
  readonly id: string;
  readonly position: bigint;
  readonly recordedAt: string;
};

/** The state a projection keeps for one teacher or programme, to resume from. */
export interface TeacherStateEntry {
  readonly teacherId: string;
  /** Any JSON-serialisable value. */
  readonly state: unknown;
}

export interface ProgrammeStateEntry {
  readonly programmeId: string;
  readonly state: unknown;
}

/**
 * When an event was recorded, so `--known-at TIMESTAMP` can become a position
 * and a history row can show its recording time. A batch may keep only the
 * last position of each run of events recorded at one time (the ledger
 * applier does): a stamp then stands for every position of its batch after
 * the previous stamp, up to its own.
 */
export interface PositionStamp {
  readonly position: bigint;
  /** ISO-8601 UTC. */
  readonly recordedAt: string;
}

/**
 * Everything one step of a projection changes, written with its checkpoint in
 * one transaction. A batch is written only if it continues exactly from the
 * stored checkpoint (`after`); any other batch (a replay, a second projector's,
 * a paused process's) is refused and changes nothing.
 */
export interface LedgerBatch {
  /** The projection whose checkpoint this batch moves. */
  readonly projection: string;
  /**
   * The checkpoint the batch continues from, as its writer read it; null (the
   * default) for the first batch of a projection that has none.
   */
  readonly after?: bigint | null;
  /** Position of the last event the batch covers (after `after`). */
  readonly checkpoint: bigint;
  /**
   * Other checkpoints moved in the same transaction, without a check (the
   * projector's stream sequence, so a successor knows where to read from).
   */
  readonly cursors?: readonly { readonly name: string; readonly position: bigint }[];
  readonly rows?: readonly DeltaRow[];
  readonly teacherStates?: readonly TeacherStateEntry[];
  readonly programmeStates?: readonly ProgrammeStateEntry[];
  readonly unitEvents?: readonly UnitEventRecord[];
  readonly positions?: readonly PositionStamp[];
}

/**
 * Part of a replay into an empty read model that takes the log teacher by
 * teacher, not in position order: rows and states without a checkpoint. The
 * (indicator, unit) pairs its rows touch are recorded at `upTo`, the last
 * position the whole replay covers; the replay sets its checkpoint there once
 * every part is written (`setCheckpoint`).
 */
export interface BulkBatch extends Omit<LedgerBatch, 'projection' | 'checkpoint'> {
  readonly upTo: bigint;
}

export interface ApplyResult {
  /** False when the batch did not continue from the stored checkpoint and nothing changed. */
  readonly applied: boolean;
  /** The stored checkpoint after the call (a refused batch: the one it did not continue). */
  readonly checkpoint: bigint | null;
}

export interface LedgerCheck {
  readonly rows: number;
  readonly duplicateRows: number;
  readonly beyondCheckpoint: number;
}

export type ScopeKind = 'province' | 'unit' | 'area' | 'kind';

/** `province`, `unit:<unitId>`, `area:<code>` or `kind:<unitKind>`. */
export type Scope = 'province' | `unit:${string}` | `area:${string}` | `kind:${string}`;

export interface FiguresQuery {
  /** The plan's indicators: which to list and how each is restricted. */
  readonly indicators: readonly IndicatorDefinition[];
  /** Valid date, YYYY-MM-DD. */
  readonly asOf: string;
  /** Only what was recorded at or before this position; default: everything. */
  readonly knownAt?: bigint;
  readonly by: ScopeKind;
  /** Only this indicator code. */
  readonly indicator?: string;
}

export interface FigureRow {
  readonly indicator: string;
  readonly scope: Scope;
  readonly asOf: string;
  readonly numerator: number;
  readonly denominator: number;
  /** numerator / denominator, null when the denominator is 0. */
  readonly value: number | null;
}

export interface ScopeQuery {
  readonly indicators: readonly IndicatorDefinition[];
  readonly indicator: string;
  readonly scope: Scope;
  /** Map units to scopes as on this date; history defaults to every valid date up to 9999-12-31. */
  readonly asOf?: string;
  readonly knownAt?: bigint;
}

export interface HistoryRow {
  readonly indicator: string;
  readonly unitId: string;
  readonly validFrom: string;
  readonly position: bigint;
  /** When the event was recorded, when the batch carried its position stamp. */
  readonly recordedAt: string | null;
  readonly dNumerator: number;
  readonly dDenominator: number;
  readonly eventId: string;
  readonly teacherId: string;
}

export interface TeacherContribution {
  readonly teacherId: string;
  readonly numerator: number;
  readonly denominator: number;
}

/** Where a read-model version lives, for a worker process that opens its own handle to it. */
export type ReadModelLocation =
  | { readonly kind: 'sqlite'; readonly path: string; readonly version: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly version: string };
