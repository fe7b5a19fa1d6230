import type {
  ApplyResult,
  BulkBatch,
  FigureRow,
  FiguresQuery,
  HistoryRow,
  LedgerBatch,
  LedgerCheck,
  ReadModelLocation,
  ScopeQuery,
  TeacherContribution,
  TeacherStateEntry,
  UnitEventRecord,
} from './types.js';

/** Which version a handle is on and where it lives; every side of a read model has it. */
export interface ReadModelHandle {
  /** The version (table namespace) this handle reads and writes. */
  readonly version: string;
  /** How another process opens this same version. */
  readonly location: ReadModelLocation;
}

/**
 * What a projection writes, and what it reads back to resume: batches with
 * their compare-and-set checkpoint, the replay's bulk parts, the checkpoints and
 * the projection's own states. A write also records which (indicator, unit)
 * pairs it changed, which is how every query handle's figure sums learn of it.
 */
export interface ReadModelWriter extends ReadModelHandle {
  /**
   * Writes the batch and moves its checkpoint from `after` to `checkpoint`, in
   * one transaction, if the stored checkpoint is `after` when the transaction
   * takes the checkpoint's row (a compare-and-set that holds the row until the
   * commit); otherwise refuses it and writes nothing.
   */
  applyBatch(batch: LedgerBatch): Promise<ApplyResult>;
  /**
   * Writes a part of a replay into an empty read model, in one transaction, and
   * moves no checkpoint: nobody reads the version until the replay sets one.
   */
  applyBulk(batch: BulkBatch): Promise<void>;
  checkpoint(projection: string): Promise<bigint | null>;
  /** Sets checkpoint `name` to `position` (a replay by teacher, once every part is written). */
  setCheckpoint(name: string, position: bigint): Promise<void>;
  teacherState(teacherId: string): Promise<unknown>;
  /** Every teacher's projection state, ordered by teacher id (a topic correction needs them all). */
  teacherStates(): Promise<readonly TeacherStateEntry[]>;
  programmeStates(): Promise<ReadonlyMap<string, unknown>>;
}

/** The questions asked of the ledger: figures, the rows behind them, the digest, the checks. */
export interface ReadModelQueries extends ReadModelHandle {
  checkpoint(projection: string): Promise<bigint | null>;
  unitEvents(knownAt?: bigint): Promise<readonly UnitEventRecord[]>;
  /** The greatest position recorded at or before the instant, or null when none. */
  positionAt(instant: string): Promise<bigint | null>;
  figures(query: FiguresQuery): Promise<readonly FigureRow[]>;
  history(query: ScopeQuery): Promise<readonly HistoryRow[]>;
  teachersBehind(
    query: ScopeQuery & { readonly asOf: string },
  ): Promise<readonly TeacherContribution[]>;
  /** SHA-256 (hex) over the sorted ledger rows and unit events. */
  digest(): Promise<string>;
  /**
   * What `nhagiao status` checks: the ledger's rows, how many of them are
   * exact copies of another (each event's rows are distinct, so a copy is an
   * event written twice) and how many lie past the checkpoint of `projection`.
   */
  ledgerCheck(projection: string): Promise<LedgerCheck>;
}

/** Creating, dropping and switching versions, and the ledger's index. */
export interface ReadModelAdmin extends ReadModelHandle {
  /**
   * Drops and recreates this version's tables, for a rebuild. With
   * `deferIndexes` the ledger is written without its index until
   * `buildIndexes()` (queries still answer, more slowly, meanwhile).
   */
  reset(options?: { readonly deferIndexes?: boolean }): Promise<void>;
  /**
   * Drops the ledger's secondary index until `buildIndexes()`, for a bulk load
   * into an empty ledger; the rows and queries are unchanged (only slower).
   */
  deferIndexes(): Promise<void>;
  /**
   * Builds the indexes `deferIndexes()` or `reset({ deferIndexes: true })` left
   * out; a no-op (one lookup) when they exist.
   */
  buildIndexes(): Promise<void>;
  /**
   * An id of this version's tables, the same from every handle to them and new
   * whenever they are (re)created: what projectors of one read model share a
   * lease under.
   */
  instanceId(): Promise<string>;
  /** Makes `version` the one that `open…ReadModel` without a version opens. */
  activate(version: string): Promise<void>;
  activeVersion(): Promise<string | null>;
}

/**
 * The indicator read model (docs/indicators.md § The delta ledger): the delta
 * ledger, projection state, unit timeline inputs and checkpoints, with the
 * figure queries on them. Both adapters give identical answers. An opened
 * handle has every side; a caller takes the narrowest side it needs.
 */
export interface ReadModelStore extends ReadModelWriter, ReadModelQueries, ReadModelAdmin {
  close(): Promise<void>;
}
