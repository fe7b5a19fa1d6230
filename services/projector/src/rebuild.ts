import type { Logger } from '@nhagiao/bus';
import type { IndicatorDefinition } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import type { ReadModelStore } from '@nhagiao/readmodels';
import { catchUp, runReplay } from './catch-up.js';
import { type ParallelOptions, planReplay } from './replay-plan.js';

/** Opens a read model: the active version when `version` is absent. */
export type ReadModelFactory = (version?: string) => Promise<ReadModelStore>;

export interface RebuildOptions {
  readonly store: EventStore;
  readonly readModelFactory: ReadModelFactory;
  readonly indicators: readonly IndicatorDefinition[];
  /** The version to build; default the active one's successor (`v1` → `v2`). */
  readonly version?: string;
  readonly batchSize?: number;
  readonly logger?: Logger;
  readonly onProgress?: (done: number, position: bigint) => void;
  readonly signal?: AbortSignal;
  /**
   * Teacher by teacher, in worker processes where the store, the read model and
   * these options allow (default `{}`: one per core for a long log); `false`:
   * in position order.
   */
  readonly parallel?: ParallelOptions | false;
}

export interface RebuildResult {
  readonly previous: string;
  readonly version: string;
  readonly applied: number;
  readonly checkpoint: bigint | null;
  readonly durationMs: number;
  /** When the log was replayed in worker processes: each one's peak memory, MB. */
  readonly shardPeakRssMb?: readonly number[];
}

/** `v7` → `v8`; any other name gets `_2`, `_3`… */
export const nextVersion = (version: string): string => {
  const numbered = /^(.*?)(\d+)$/.exec(version);
  if (numbered !== null) return `${numbered[1] ?? ''}${BigInt(numbered[2] ?? '0') + 1n}`;
  return `${version}_2`;
};

/**
 * Blue-green rebuild: builds a new read-model version beside the active one
 * from position 0, reading the store directly (far faster than through
 * JetStream), catches up with what was appended meanwhile, then makes it the
 * active version. Readers of the old version are never stopped: handles already
 * open keep reading it; `open…ReadModel` without a version opens the new one
 * from then on. Start a projector on the new version (its own durable consumer)
 * to keep it live.
 */
export const rebuild = async (options: RebuildOptions): Promise<RebuildResult> => {
  const started = performance.now();
  const current = await options.readModelFactory();
  const previous = current.version;
  await current.close();
  const version = options.version ?? nextVersion(previous);
  if (version === previous)
    throw new RangeError(`read model version ${version} is the active one: rebuild into another`);
  const target = await options.readModelFactory(version);
  try {
    await target.reset();
    const common = {
      store: options.store,
      readModel: target,
      indicators: options.indicators,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    const plan = await planReplay({
      store: options.store,
      readModel: target,
      ...(options.parallel === false ? {} : { byTeacher: options.parallel ?? {} }),
    });
    // States once at the end: a rebuild that dies starts again from nothing.
    const bulk = await runReplay(plan, {
      ...common,
      states: 'at-end',
      buildIndexes: true,
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    const tail = await catchUp(common);
    if (options.signal?.aborted) throw new Error(`rebuild of read model ${version} was aborted`);
    await target.activate(version);
    options.logger?.info('read model rebuilt and activated', {
      previous,
      version,
      applied: bulk.applied + tail.applied,
      checkpoint: tail.checkpoint?.toString() ?? null,
    });
    return {
      previous,
      version,
      applied: bulk.applied + tail.applied,
      checkpoint: tail.checkpoint,
      durationMs: performance.now() - started,
      ...(bulk.shardPeakRssMb === undefined ? {} : { shardPeakRssMb: bulk.shardPeakRssMb }),
    };
  } finally {
    await target.close();
  }
};
