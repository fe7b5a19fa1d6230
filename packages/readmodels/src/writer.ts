import type { Transaction } from 'kysely';
import type { Engine } from './engine.js';
import type { ReadModelWriter } from './ports.js';
import {
  big,
  changeWrite,
  changedKeys,
  lastPerId,
  ledgerWrite,
  positionWrite,
  programmeStateWrite,
  stampRows,
  teacherStateWrite,
  unitEventWrite,
} from './rows.js';
import type { Database } from './schema.js';
import type {
  ApplyResult,
  BulkBatch,
  LedgerBatch,
  ReadModelLocation,
  TeacherStateEntry,
} from './types.js';

export const readCheckpoint = async (
  db: Pick<Transaction<Database>, 'selectFrom'>,
  projection: string,
): Promise<bigint | null> => {
  const row = await db
    .selectFrom('checkpoints')
    .select('position')
    .where('name', '=', projection)
    .executeTakeFirst();
  return row === undefined ? null : big(row.position);
};

/**
 * The write side on any engine: batches with their compare-and-set checkpoint,
 * and the states a projection resumes from. Each batch also records the
 * (indicator, unit) pairs it changed (`ledger_changes`), which is how the
 * figure sums of every handle, in this process or another, learn what to reload.
 */
export class KyselyWriter implements ReadModelWriter {
  constructor(
    private readonly engine: Engine,
    readonly version: string,
    readonly location: ReadModelLocation,
  ) {}

  private get db() {
    return this.engine.db;
  }

  async applyBatch(batch: LedgerBatch): Promise<ApplyResult> {
    const after = batch.after ?? null;
    if (after !== null && batch.checkpoint <= after)
      throw new RangeError(
        `batch of "${batch.projection}" ends at ${batch.checkpoint}, not after ${after}, where it starts`,
      );
    return this.db.transaction().execute(async (trx) => {
      // The compare-and-set comes first: it takes the checkpoint's row (SQLite:
      // the database's write lock) until the commit, so of two writers from the
      // same checkpoint the second waits, finds the row moved and is refused,
      // whatever the isolation level.
      const moved =
        after === null
          ? (
              await trx
                .insertInto('checkpoints')
                .values({ name: batch.projection, position: batch.checkpoint })
                .onConflict((oc) => oc.column('name').doNothing())
                .executeTakeFirst()
            ).numInsertedOrUpdatedRows
          : (
              await trx
                .updateTable('checkpoints')
                .set({ position: batch.checkpoint })
                .where('name', '=', batch.projection)
                .where('position', '=', after)
                .executeTakeFirst()
            ).numUpdatedRows;
      if (moved !== 1n)
        return { applied: false, checkpoint: await readCheckpoint(trx, batch.projection) };
      await this.write(trx, batch, batch.checkpoint);
      for (const cursor of batch.cursors ?? []) {
        await trx
          .insertInto('checkpoints')
          .values({ name: cursor.name, position: cursor.position })
          .onConflict((oc) =>
            oc.column('name').doUpdateSet((eb) => ({ position: eb.ref('excluded.position') })),
          )
          .execute();
      }
      return { applied: true, checkpoint: batch.checkpoint };
    });
  }

  async applyBulk(batch: BulkBatch): Promise<void> {
    await this.db.transaction().execute((trx) => this.write(trx, batch, batch.upTo));
  }

  /** A batch's rows, the pairs they touch (recorded at `changesAt`), its events and states. */
  private async write(
    trx: Transaction<Database>,
    batch: BulkBatch | LedgerBatch,
    changesAt: bigint,
  ): Promise<void> {
    const e = this.engine;
    const rows = batch.rows ?? [];
    await e.insertMany(trx, ledgerWrite, rows);
    await e.insertMany(trx, changeWrite, changedKeys(rows, changesAt));
    await e.insertMany(trx, unitEventWrite, batch.unitEvents ?? []);
    await e.insertMany(trx, positionWrite, stampRows(batch.positions ?? []));
    await e.insertMany(
      trx,
      teacherStateWrite,
      lastPerId((batch.teacherStates ?? []).map((t) => [t.teacherId, t.state] as const)),
    );
    await e.insertMany(
      trx,
      programmeStateWrite,
      lastPerId((batch.programmeStates ?? []).map((p) => [p.programmeId, p.state] as const)),
    );
  }

  async checkpoint(projection: string): Promise<bigint | null> {
    return readCheckpoint(this.db, projection);
  }

  async setCheckpoint(name: string, position: bigint): Promise<void> {
    await this.db
      .insertInto('checkpoints')
      .values({ name, position })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet((eb) => ({ position: eb.ref('excluded.position') })),
      )
      .execute();
  }

  async teacherStates(): Promise<readonly TeacherStateEntry[]> {
    const rows = await this.db
      .selectFrom('teacher_state')
      .select(['id', 'state'])
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ teacherId: r.id, state: JSON.parse(r.state) as unknown }));
  }

  async teacherState(teacherId: string): Promise<unknown> {
    const row = await this.db
      .selectFrom('teacher_state')
      .select('state')
      .where('id', '=', teacherId)
      .executeTakeFirst();
    return row === undefined ? undefined : JSON.parse(row.state);
  }

  async programmeStates(): Promise<ReadonlyMap<string, unknown>> {
    const rows = await this.db
      .selectFrom('programme_state')
      .select(['id', 'state'])
      .orderBy('id')
      .execute();
    return new Map(rows.map((r) => [r.id, JSON.parse(r.state) as unknown]));
  }
}
