/**
 * One shard of a parallel replay, in its own thread (see parallel-replay.ts):
 * opens its own handles to the event store and the read model, replays the
 * teachers of its shard up to the given position and writes their rows and
 * states, each write under the lock the shards share.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { IndicatorDefinition } from '@nhagiao/domain';
// The adapters' own entry points: a thread starts faster without the others' clients.
import type { Shard, StoreLocation } from '@nhagiao/eventstore/port';
import { openSqliteEventStore } from '@nhagiao/eventstore/sqlite';
import { openSqliteReadModel } from '@nhagiao/readmodels/sqlite';
import { LedgerApplier } from './ledger-applier.js';

export interface ShardWork {
  readonly store: StoreLocation;
  readonly readModel: { readonly kind: 'sqlite'; readonly path: string; readonly version: string };
  readonly indicators: readonly IndicatorDefinition[];
  readonly shard: Shard;
  /** The checkpoint this shard writes under. */
  readonly projection: string;
  /** Last position to replay (decimal). */
  readonly until: string;
  readonly batchSize: number;
  readonly pageSize: number;
  /** One Int32: 0 free, 1 held. */
  readonly lock: SharedArrayBuffer;
}

export type ShardMessage =
  | { readonly kind: 'progress'; readonly applied: number }
  | { readonly kind: 'done'; readonly applied: number };

/** A mutex over shared memory: the shards' writers take turns without SQLite's sleeping busy handler. */
const lockOn = (buffer: SharedArrayBuffer) => {
  const cell = new Int32Array(buffer);
  return async <T>(write: () => Promise<T>): Promise<T> => {
    while (Atomics.compareExchange(cell, 0, 0, 1) !== 0) Atomics.wait(cell, 0, 1);
    try {
      return await write();
    } finally {
      Atomics.store(cell, 0, 0);
      Atomics.notify(cell, 0, 1);
    }
  };
};

const run = async (work: ShardWork): Promise<number> => {
  const post = (message: ShardMessage): void => parentPort?.postMessage(message);
  const store = openSqliteEventStore(work.store.path, { readOnly: true });
  const readModel = await openSqliteReadModel(work.readModel.path, {
    version: work.readModel.version,
  });
  try {
    const applier = await LedgerApplier.open({
      readModel,
      indicators: work.indicators,
      projection: work.projection,
      stateWrites: 'at-end',
      shard: work.shard,
      writeLock: lockOn(work.lock),
    });
    let applied = 0;
    if (store.readAllBatches === undefined)
      throw new Error('the event store cannot read in batches');
    const pages = store.readAllBatches({
      pageSize: work.pageSize,
      until: BigInt(work.until),
      shard: work.shard,
      metadata: false,
    });
    for await (const page of pages) {
      for (const event of page) {
        if (applier.pending >= work.batchSize) {
          await applier.flush();
          post({ kind: 'progress', applied });
        }
        // A fresh replay never waits for state (nothing is loaded): no await per event.
        const loading = applier.take(event);
        if (loading !== undefined) await loading;
      }
      applied = applier.taken;
    }
    await applier.flush(true);
    return applier.taken;
  } finally {
    await readModel.close();
    await store.close();
  }
};

const work = workerData as ShardWork;
run(work).then(
  (applied) => parentPort?.postMessage({ kind: 'done', applied } satisfies ShardMessage),
  (error: unknown) => {
    // Rethrown outside the promise, so the parent's 'error' event carries it.
    setImmediate(() => {
      throw error;
    });
  },
);
