import type { IndicatorDefinition, RecordedEvent } from '@nhagiao/domain';
import { type EventStore, type ReadOptions, hasBatchReads } from '@nhagiao/eventstore/core';
import type { ReadModelStore } from '@nhagiao/readmodels';
import {
  BatchRefusedError,
  LEDGER_PROJECTION,
  LedgerApplier,
  type StateWrites,
} from './ledger-applier.js';
import { type ParallelOptions, parallelWorkers, replayInParallel } from './parallel-replay.js';
import { canReplayByTeacher, replayByTeacher } from './teacher-replay.js';

export interface CatchUpOptions {
  readonly store: EventStore;
  readonly readModel: ReadModelStore;
  readonly indicators: readonly IndicatorDefinition[];
  /** Events per read-model transaction (default 20,000). */
  readonly batchSize?: number;
  /** See `LedgerApplierOptions.stateWrites`; `none` needs `until` (nothing is applied after it). */
  readonly stateWrites?: StateWrites;
  readonly onProgress?: (done: number, position: bigint) => void;
  readonly signal?: AbortSignal;
  /** Sees every event read, in log order, before it is applied (verify hashes them on the same pass). */
  readonly onEvent?: (event: RecordedEvent) => void;
  /**
   * Into an empty read model, replay one teacher at a time (`replayByTeacher`),
   * in worker processes (see `replayInParallel`) when the store and the read
   * model can be opened by other processes and the log is long enough, else on
   * this thread where the store reads stream by stream. Not with `onEvent`,
   * which must see every event in position order. Only for a read model nobody
   * else reads or writes yet (a rebuild's new version, verify's replay): until
   * the replay ends, its rows are not in log order and no checkpoint guards them.
   */
  readonly parallel?: ParallelOptions;
  /** Stop after this position (default: the store's head when reading ends). */
  readonly until?: bigint;
  /**
   * Into an empty read model, whether to build the ledger's index at the end
   * (default yes). `false` leaves it to a caller that may never query the
   * ledger by key (verify with no report to recompute): `buildIndexes` later.
   */
  readonly buildIndexes?: boolean;
}

export interface CatchUpResult {
  readonly applied: number;
  readonly checkpoint: bigint | null;
  readonly durationMs: number;
  /** When the log was replayed in worker processes: each one's peak memory, MB. */
  readonly shardPeakRssMb?: readonly number[];
}

/** Pages of the log up to `until`: the store's own when it has them, else `readAll` grouped. */
export async function* logPages(
  store: EventStore,
  options: ReadOptions & { readonly until?: bigint; readonly metadata?: boolean },
  size: number,
): AsyncIterable<readonly RecordedEvent[]> {
  if (hasBatchReads(store)) {
    yield* store.readAllBatches({ ...options, pageSize: size });
    return;
  }
  const { until } = options;
  let page: RecordedEvent[] = [];
  for await (const event of store.readAll(options)) {
    if (until !== undefined && event.position > until) break;
    page.push(event);
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/** Events read per page from the store; independent of the write batch size. */
const READ_PAGE = 5000;

/**
 * The embedded projection: reads the store from the read model's checkpoint to
 * its head and applies everything. Safe to run after a crash at any point: the
 * checkpoint moves in the same transaction as the rows.
 *
 * Into an empty read model (a first import, a rebuild, verify's replay) the
 * ledger is written without its secondary index, built once at the end: a
 * sorted build costs a fraction of keeping it up to date row by row. A run that
 * dies before then leaves the index missing; the next run builds it first.
 * With `parallel`, the log up to the head is first replayed teacher by teacher,
 * in worker processes or on this thread (a replay that dies starts again from
 * nothing: the read model is emptied first); this pass then takes what was
 * appended meanwhile, in position order.
 */
export const catchUpFromStore = async (options: CatchUpOptions): Promise<CatchUpResult> => {
  const started = performance.now();
  const batchSize = options.batchSize ?? 20_000;
  const { store, readModel, onEvent } = options;
  if (options.stateWrites === 'none' && options.until === undefined)
    throw new RangeError(
      'a catch-up that writes no states needs `until`: nothing can be applied after it',
    );
  const states = options.stateWrites !== 'none';
  const open = () =>
    LedgerApplier.open({
      readModel,
      indicators: options.indicators,
      ...(options.stateWrites ? { stateWrites: options.stateWrites } : {}),
    });
  let applier = await open();
  let applied = 0;
  let shardPeakRssMb: readonly number[] | undefined;
  const from = applier.checkpoint;
  if (from === null) await readModel.deferIndexes();
  else await readModel.buildIndexes();
  try {
    if (from === null && onEvent === undefined && options.parallel !== undefined) {
      const head = options.until ?? (await store.head());
      const workers = head === null ? 0 : parallelWorkers(store, readModel, head, options.parallel);
      if (head !== null && workers > 0) {
        // Without a ledger checkpoint, whatever the read model holds is what a
        // parallel replay that died left (some of its shards' rows, for another
        // number of workers perhaps): it starts again from nothing.
        await readModel.reset({ deferIndexes: true });
        const replayed = await replayInParallel({
          store,
          readModel,
          indicators: options.indicators,
          until: head,
          workers,
          batchSize,
          states,
          ...(options.onProgress ? { onProgress: (done) => options.onProgress?.(done, head) } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        applied = replayed.applied;
        shardPeakRssMb = replayed.shardPeakRssMb;
        // Opened again at the checkpoint the replay set: teachers' states load as met.
        applier = await open();
      } else if (head !== null && canReplayByTeacher(store)) {
        // As above: what a replay that died left is emptied first.
        await readModel.reset({ deferIndexes: true });
        applied = await replayByTeacher({
          store,
          readModel,
          indicators: options.indicators,
          until: head,
          batchSize,
          states,
          ...(options.onProgress ? { onProgress: (done) => options.onProgress?.(done, head) } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        // Aborted: no checkpoint, so the next replay starts again from nothing.
        if (options.signal?.aborted !== true)
          await readModel.setCheckpoint(LEDGER_PROJECTION, head);
        applier = await open();
      }
    }
    // Another process catching the same read model up (a query beside the
    // server) moves its checkpoint under us: a batch of ours is then refused,
    // and reading goes on from where the other got to. Each refusal means the
    // other moved forward, so this ends.
    for (;;) {
      const after = applier.checkpoint;
      const read = {
        ...(after === null ? {} : { after }),
        ...(options.until === undefined ? {} : { until: options.until }),
        ...(options.signal ? { signal: options.signal } : {}),
        // The projection never reads metadata; only `onEvent` (verify's tree) needs it.
        ...(onEvent === undefined ? { metadata: false } : {}),
      };
      try {
        for await (const page of logPages(store, read, READ_PAGE)) {
          for (const event of page) {
            // Flush before taking, so the final flush always carries at least one event.
            if (applier.pending >= batchSize) {
              await applier.flush();
              options.onProgress?.(applied, event.position);
            }
            onEvent?.(event);
            const loading = applier.take(event);
            if (loading !== undefined) await loading;
            applied += 1;
          }
        }
        await applier.flush(true);
        break;
      } catch (error) {
        // `onEvent` has seen the refused events: it cannot see them again.
        if (!(error instanceof BatchRefusedError) || onEvent !== undefined) throw error;
        applier = await open();
      }
    }
  } finally {
    if (from === null && options.buildIndexes !== false) await readModel.buildIndexes();
  }
  return {
    applied,
    checkpoint: applier.checkpoint,
    durationMs: performance.now() - started,
    ...(shardPeakRssMb === undefined ? {} : { shardPeakRssMb }),
  };
};
