import type { IndicatorDefinition, RecordedEvent } from '@nhagiao/domain';
import { type EventStore, type ReadOptions, hasBatchReads } from '@nhagiao/eventstore/core';
import type { ReadModelAdmin, ReadModelWriter } from '@nhagiao/readmodels';
import {
  BatchRefusedError,
  LEDGER_PROJECTION,
  LedgerApplier,
  type StateWrites,
} from './ledger-applier.js';
import { replayInParallel } from './parallel-replay.js';
import type { ReplayPlan } from './replay-plan.js';
import { replayByTeacher } from './teacher-replay.js';

/** What a replay writes into: the writer, and the admin side for the ledger's index. */
export type ReplayTarget = ReadModelWriter &
  Pick<ReadModelAdmin, 'reset' | 'deferIndexes' | 'buildIndexes'>;

export interface ReplayResult {
  readonly applied: number;
  readonly checkpoint: bigint | null;
  readonly durationMs: number;
  /** When the log was replayed in worker processes: each one's peak memory, MB. */
  readonly shardPeakRssMb?: readonly number[];
}

interface ReplayCommon {
  readonly store: EventStore;
  readonly readModel: ReplayTarget;
  readonly indicators: readonly IndicatorDefinition[];
  /** Events per read-model transaction (default 20,000). */
  readonly batchSize?: number;
  readonly onProgress?: (done: number, position: bigint) => void;
  readonly signal?: AbortSignal;
  /**
   * Into an empty read model, whether to build the ledger's index at the end;
   * `false` leaves it to a caller that may never query the ledger by key.
   */
  readonly buildIndexes: boolean;
}

/** How far a replay reads, and which states it writes: writing none needs an end. */
export type ReplayRun = ReplayCommon &
  (
    | {
        readonly states: Exclude<StateWrites, 'none'>;
        /** Stop after this position (default: the store's head when reading ends). */
        readonly until?: bigint;
      }
    | { readonly states: 'none'; readonly until: bigint }
  );

/** Events read per page from the store; independent of the write batch size. */
const READ_PAGE = 5000;

/**
 * Follows a plan (see `planReplay`). Into an empty read model the ledger is
 * written without its secondary index, built once at the end: a sorted build
 * costs a fraction of keeping it up to date row by row; a run that dies before
 * then leaves the index missing and the next run builds it first. A
 * `by-teacher` or `parallel` plan first empties what a replay that died left
 * and replays the log up to its `until`, teacher by teacher, setting the
 * checkpoint there; then, for every plan, the log is read in position order
 * from the checkpoint: what was appended meanwhile, or everything.
 */
export const runReplay = async (plan: ReplayPlan, run: ReplayRun): Promise<ReplayResult> => {
  const started = performance.now();
  const batchSize = run.batchSize ?? 20_000;
  const { store, readModel } = run;
  const onEvent = plan.kind === 'position-order' ? plan.onEvent : undefined;
  const open = () =>
    LedgerApplier.open({ readModel, indicators: run.indicators, states: run.states });
  let applier = await open();
  let applied = 0;
  let shardPeakRssMb: readonly number[] | undefined;
  const from = applier.checkpoint;
  if (from === null) await readModel.deferIndexes();
  else await readModel.buildIndexes();
  try {
    // A plan made for an empty read model that another writer has started meanwhile: position order.
    if (from === null && plan.kind !== 'position-order') {
      const { until } = plan;
      const onProgress = (done: number) => run.onProgress?.(done, until);
      const signal = run.signal ? { signal: run.signal } : {};
      // Without a ledger checkpoint, whatever the read model holds is what a
      // replay that died left (some of its shards' rows, for another number of
      // workers perhaps): it starts again from nothing.
      await readModel.reset({ deferIndexes: true });
      if (plan.kind === 'parallel') {
        const replayed = await replayInParallel({
          plan,
          readModel,
          indicators: run.indicators,
          batchSize,
          states: run.states,
          onProgress,
          ...signal,
        });
        applied = replayed.applied;
        shardPeakRssMb = replayed.shardPeakRssMb;
      } else {
        applied = await replayByTeacher({
          store: plan.store,
          readModel,
          indicators: run.indicators,
          until,
          batchSize,
          states: run.states,
          onProgress,
          ...signal,
        });
        // Aborted: no checkpoint, so the next replay starts again from nothing.
        if (run.signal?.aborted !== true) await readModel.setCheckpoint(LEDGER_PROJECTION, until);
      }
      // Opened again at the checkpoint the replay set: teachers' states load as met.
      applier = await open();
    }
    // Another process catching the same read model up (a query beside the
    // server) moves its checkpoint under us: a batch of ours is then refused,
    // and reading goes on from where the other got to. Each refusal means the
    // other moved forward, so this ends.
    for (;;) {
      const after = applier.checkpoint;
      const read = {
        ...(after === null ? {} : { after }),
        ...(run.until === undefined ? {} : { until: run.until }),
        ...(run.signal ? { signal: run.signal } : {}),
        // The projection never reads metadata; only `onEvent` (verify's tree) needs it.
        ...(onEvent === undefined ? { metadata: false } : {}),
      };
      try {
        for await (const page of logPages(store, read, READ_PAGE)) {
          for (const event of page) {
            // Flush before taking, so the final flush always carries at least one event.
            if (applier.pending >= batchSize) {
              await applier.flush();
              run.onProgress?.(applied, event.position);
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
    if (from === null && run.buildIndexes) await readModel.buildIndexes();
  }
  return {
    applied,
    checkpoint: applier.checkpoint,
    durationMs: performance.now() - started,
    ...(shardPeakRssMb === undefined ? {} : { shardPeakRssMb }),
  };
};

export interface CatchUpOptions {
  readonly store: EventStore;
  readonly readModel: ReplayTarget;
  readonly indicators: readonly IndicatorDefinition[];
  /** Events per read-model transaction (default 20,000). */
  readonly batchSize?: number;
  /** Stop after this position (default: the store's head when reading ends). */
  readonly until?: bigint;
  readonly onProgress?: (done: number, position: bigint) => void;
  readonly signal?: AbortSignal;
}

export type CatchUpResult = ReplayResult;

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

/**
 * The embedded projection: reads the store from the read model's checkpoint to
 * its head, in position order, and applies everything, each batch with the
 * states it changed (`per-batch`), as the live projection does. Safe to run
 * after a crash at any point: the checkpoint moves in the same transaction as
 * the rows. Into an empty read model the ledger's index is built at the end.
 */
export const catchUp = (options: CatchUpOptions): Promise<CatchUpResult> =>
  runReplay({ kind: 'position-order' }, { ...options, states: 'per-batch', buildIndexes: true });
