import {
  type DeltaRow,
  type IndicatorDefinition,
  type LedgerProjection,
  type RecordedEvent,
  type SerializedProgramme,
  createLedgerProjection,
  isUnitEvent,
  streamKindOf,
} from '@nhagiao/domain';
import type {
  LedgerBatch,
  PositionStamp,
  ReadModelWriter,
  TeacherStateEntry,
  UnitEventRecord,
} from '@nhagiao/readmodels';

export const LEDGER_PROJECTION = 'ledger';

export interface LedgerApplierOptions {
  readonly readModel: ReadModelWriter;
  readonly indicators: readonly IndicatorDefinition[];
  /** When teachers' and programmes' states are written (default `per-batch`; see `StateWrites`). */
  readonly states?: StateWrites;
}

/**
 * Moves the last of `stamps` to `event` when the event has its recording time (a
 * stamp marks where a run of one recording time ends); false when it needs a new one.
 */
export const extendsLastStamp = (stamps: PositionStamp[], event: RecordedEvent): boolean => {
  const last = stamps[stamps.length - 1];
  if (last === undefined || last.recordedAt !== event.recordedAt) return false;
  stamps[stamps.length - 1] = { position: event.position, recordedAt: event.recordedAt };
  return true;
};

/**
 * The read model refused a batch: its checkpoint was not the one the batch
 * continues from, because another writer (a second projector, a paused one
 * that resumed, a query catching up) moved it. Nothing of the batch was
 * written; the applier that made it is stale and must be opened again.
 */
export class BatchRefusedError extends Error {
  constructor(
    /** Where the batch started: the checkpoint this applier last saw. */
    readonly expected: bigint | null,
    /** The checkpoint the read model holds. */
    readonly stored: bigint | null,
    /** Where the batch ended. */
    readonly checkpoint: bigint,
  ) {
    super(
      `read model refused the batch ${expected ?? 'start'} → ${checkpoint}: its checkpoint is ${stored ?? 'none'} (another projector wrote meanwhile)`,
    );
    this.name = 'BatchRefusedError';
  }
}

/**
 * When teachers' and programmes' states are written, in every replay:
 * - `per-batch` (live projection): every batch carries the states it changed, so
 *   a restart resumes from any checkpoint.
 * - `at-end` (a rebuild into a fresh version): once, with the last batch (by
 *   teacher: each teacher's with its rows); a rebuild that dies starts again.
 * - `none` (verify's replay, compared and thrown away): never; nothing can be
 *   projected into the read model after it.
 */
export type StateWrites = 'per-batch' | 'at-end' | 'none';

/**
 * Turns events, in log order, into ledger batches and writes them with their
 * checkpoint. Shared by the embedded catch-up (reading the store) and the NATS
 * projector (reading JetStream), so both write identical rows.
 */
export class LedgerApplier {
  readonly #readModel: ReadModelWriter;
  readonly #projection: LedgerProjection;
  readonly #states: StateWrites;
  /** The read model's checkpoint as this applier last wrote or read it. */
  #committed: bigint | null = null;
  #refused = false;
  #loadedAll = false;
  readonly #loaded = new Set<string>();
  #rows: DeltaRow[] = [];
  #unitEvents: UnitEventRecord[] = [];
  #positions: PositionStamp[] = [];
  #pendingTeachers = new Set<string>();
  #pendingProgrammes = new Set<string>();
  #last: bigint | null = null;
  #count = 0;

  private constructor(options: LedgerApplierOptions) {
    this.#readModel = options.readModel;
    this.#projection = createLedgerProjection(options.indicators);
    this.#states = options.states ?? 'per-batch';
  }

  /** Opens the applier at the read model's checkpoint, with the programmes' state loaded. */
  static async open(options: LedgerApplierOptions): Promise<LedgerApplier> {
    const applier = new LedgerApplier(options);
    applier.#committed = await options.readModel.checkpoint(LEDGER_PROJECTION);
    // Without a checkpoint nothing of this projection was written (states go with
    // it); what is there comes from sibling shards further on in the log.
    if (applier.#committed !== null) {
      for (const state of (await options.readModel.programmeStates()).values()) {
        applier.#projection.loadProgramme(state as SerializedProgramme);
      }
    }
    // A fresh read model has no teacher to load: everything is in memory from here.
    applier.#loadedAll = applier.#committed === null;
    return applier;
  }

  /** The position of the last event written; null before the first. */
  get checkpoint(): bigint | null {
    return this.#last ?? this.#committed;
  }

  /** Events taken since the last flush. */
  get pending(): number {
    return this.#count;
  }

  /**
   * Takes one event; events at or before the checkpoint are redeliveries and are
   * skipped. Returns a promise only when state had to be loaded first (a resumed
   * projection meeting a teacher for the first time): a rebuild never waits.
   */
  take(event: RecordedEvent): Promise<void> | undefined {
    const checkpoint = this.checkpoint;
    if (checkpoint !== null && event.position <= checkpoint) return undefined;
    if (!this.#loadedAll) {
      const kind = streamKindOf(event.stream);
      if (kind === 'teacher') {
        const teacherId = (event.data as { teacherId: string }).teacherId;
        if (!this.#loaded.has(teacherId))
          return this.#loadTeacher(teacherId).then(() => this.#apply(event));
      } else if (kind === 'programme') {
        return this.#loadEveryTeacher().then(() => this.#apply(event));
      }
    }
    this.#apply(event);
    return undefined;
  }

  #apply(event: RecordedEvent): void {
    for (const row of this.#projection.project(event)) this.#rows.push(row);
    if (isUnitEvent(event)) this.#unitEvents.push(event as UnitEventRecord);
    if (!extendsLastStamp(this.#positions, event))
      this.#positions.push({ position: event.position, recordedAt: event.recordedAt });
    this.#last = event.position;
    this.#count += 1;
  }

  /**
   * Writes what was taken, and the checkpoint, in one transaction, if the read
   * model's checkpoint is still the one this applier last saw; else throws
   * `BatchRefusedError` (nothing written: open a new applier). `cursors` are
   * moved in the same transaction.
   */
  async flush(
    final = false,
    cursors?: readonly { readonly name: string; readonly position: bigint }[],
  ): Promise<void> {
    if (this.#refused) throw new RangeError('this applier had a batch refused: open another');
    if (this.#last === null || this.#count === 0) return;
    const changed = this.#projection.takeChanged();
    if (this.#states !== 'none') {
      for (const t of changed.teachers) this.#pendingTeachers.add(t);
      for (const p of changed.programmes) this.#pendingProgrammes.add(p);
    }
    const writeStates = this.#states === 'per-batch' || (final && this.#states === 'at-end');
    const batch: LedgerBatch = {
      projection: LEDGER_PROJECTION,
      after: this.#committed,
      checkpoint: this.#last,
      ...(cursors === undefined ? {} : { cursors }),
      rows: this.#rows,
      unitEvents: this.#unitEvents,
      positions: this.#positions,
      ...(writeStates
        ? {
            teacherStates: [...this.#pendingTeachers].flatMap((teacherId): TeacherStateEntry[] => {
              const state = this.#projection.serializeTeacher(teacherId);
              return state === undefined ? [] : [{ teacherId, state }];
            }),
            programmeStates: [...this.#pendingProgrammes].flatMap((programmeId) => {
              const state = this.#projection.serializeProgramme(programmeId);
              return state === undefined ? [] : [{ programmeId, state }];
            }),
          }
        : {}),
    };
    const result = await this.#readModel.applyBatch(batch);
    if (!result.applied) {
      this.#refused = true;
      throw new BatchRefusedError(this.#committed, result.checkpoint, this.#last);
    }
    this.#committed = this.#last;
    if (writeStates) {
      this.#pendingTeachers = new Set();
      this.#pendingProgrammes = new Set();
    }
    this.#rows = [];
    this.#unitEvents = [];
    this.#positions = [];
    this.#count = 0;
  }

  async #loadTeacher(teacherId: string): Promise<void> {
    if (this.#loaded.has(teacherId)) return;
    this.#loaded.add(teacherId);
    const state = await this.#readModel.teacherState(teacherId);
    if (state !== undefined) this.#projection.loadTeacher(state);
  }

  /** A topic correction recomputes every teacher who completed the programme: all must be loaded. */
  async #loadEveryTeacher(): Promise<void> {
    for (const { teacherId, state } of await this.#readModel.teacherStates()) {
      if (this.#loaded.has(teacherId)) continue;
      this.#loaded.add(teacherId);
      this.#projection.loadTeacher(state);
    }
    this.#loadedAll = true;
  }
}
