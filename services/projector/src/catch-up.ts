import type { IndicatorDefinition } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import type { ReadModelStore } from '@nhagiao/readmodels';
import { LedgerApplier } from './ledger-applier.js';

export interface CatchUpOptions {
  readonly store: EventStore;
  readonly readModel: ReadModelStore;
  readonly indicators: readonly IndicatorDefinition[];
  /** Events per read-model transaction (default 5,000). */
  readonly batchSize?: number;
  readonly stateWrites?: 'per-batch' | 'at-end';
  readonly onProgress?: (done: number, position: bigint) => void;
  readonly signal?: AbortSignal;
}

export interface CatchUpResult {
  readonly applied: number;
  readonly checkpoint: bigint | null;
  readonly durationMs: number;
}

/**
 * The embedded projection: reads the store from the read model's checkpoint to
 * its head and applies everything. Safe to run after a crash at any point: the
 * checkpoint moves in the same transaction as the rows.
 */
export const catchUpFromStore = async (options: CatchUpOptions): Promise<CatchUpResult> => {
  const started = performance.now();
  const batchSize = options.batchSize ?? 5000;
  const applier = await LedgerApplier.open({
    readModel: options.readModel,
    indicators: options.indicators,
    ...(options.stateWrites ? { stateWrites: options.stateWrites } : {}),
  });
  let applied = 0;
  const from = applier.checkpoint;
  for await (const event of options.store.readAll({
    ...(from === null ? {} : { after: from }),
    ...(options.signal ? { signal: options.signal } : {}),
  })) {
    // Flush before taking, so the final flush always carries at least one event.
    if (applier.pending >= batchSize) {
      await applier.flush();
      options.onProgress?.(applied, event.position);
    }
    const loading = applier.take(event);
    if (loading !== undefined) await loading;
    applied += 1;
  }
  await applier.flush(true);
  return { applied, checkpoint: applier.checkpoint, durationMs: performance.now() - started };
};
