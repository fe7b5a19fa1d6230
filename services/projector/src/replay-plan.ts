import { availableParallelism } from 'node:os';
import {
  type EventStore,
  type StoreLocation,
  type StreamBatchReads,
  hasStreamBatchReads,
} from '@nhagiao/eventstore/port';
import type { ReadModelHandle, ReadModelLocation, ReadModelWriter } from '@nhagiao/readmodels';
import type { RecordedEvent } from '@nhagiao/domain';
import { LEDGER_PROJECTION } from './ledger-applier.js';

/** A store that reads its log and a kind's streams in pages: what a replay by teacher needs. */
export type TeacherReadableStore = EventStore & StreamBatchReads;

/** A store that also cuts its teachers' streams into ranges and that other processes can open. */
export type ShardableStore = TeacherReadableStore & { readonly location: StoreLocation };

/** An SQLite read model version, as another process opens it. */
export type SqliteReadModelAt = Extract<ReadModelLocation, { readonly kind: 'sqlite' }>;

export interface ParallelOptions {
  /** Processes to replay in (default: one per core, at most 4; see `besideThisThread`). */
  readonly workers?: number;
  /** Below this many events one process is faster than starting others (default 100,000). */
  readonly minEvents?: number;
  /**
   * The caller keeps this thread busy meanwhile (verify hashes the tree on it):
   * the replay then goes to worker processes even if only one, by default one per
   * core but this one.
   */
  readonly besideThisThread?: boolean;
}

export const DEFAULT_MIN_PARALLEL_EVENTS = 100_000;

/**
 * How a replay takes the log. Every plan ends with a pass in position order
 * from the read model's checkpoint (for `by-teacher` and `parallel`: what was
 * appended meanwhile), the way the live projection goes on.
 */
export type ReplayPlan =
  /**
   * Event by event in position order from the checkpoint: a read model that
   * has one, a store that cannot read stream by stream, or a caller whose
   * `onEvent` must see every event in log order (verify hashes them on the
   * same pass).
   */
  | {
      readonly kind: 'position-order';
      readonly onEvent?: (event: RecordedEvent) => void;
    }
  /**
   * Into an empty read model, one teacher at a time on this thread
   * (`replayByTeacher`), up to `until`, where the checkpoint is then set.
   */
  | {
      readonly kind: 'by-teacher';
      readonly store: TeacherReadableStore;
      readonly until: bigint;
    }
  /** As `by-teacher`, the teachers cut into `workers` ranges, each in a process (`replayInParallel`). */
  | {
      readonly kind: 'parallel';
      readonly store: ShardableStore;
      readonly readModel: SqliteReadModelAt;
      readonly until: bigint;
      readonly workers: number;
    };

export interface ReplayRequest {
  readonly store: EventStore;
  readonly readModel: ReadModelHandle & Pick<ReadModelWriter, 'checkpoint'>;
  /** The last position to replay; default: the store's head now. */
  readonly until?: bigint;
  /**
   * Whether an empty read model may be filled teacher by teacher, and in how
   * many processes; absent, the plan is position order. Only for a read model
   * nobody else reads or writes yet (a rebuild's new version, verify's replay):
   * until the replay ends, its rows are not in log order and no checkpoint
   * guards them.
   */
  readonly byTeacher?: ParallelOptions;
}

/** `store` when it reads its streams and its log in pages. */
export const teacherReadable = (store: EventStore): TeacherReadableStore | undefined =>
  hasStreamBatchReads(store) ? store : undefined;

/** Whether another process can open `store`. */
const opensElsewhere = <S extends EventStore>(
  store: S,
): store is S & { readonly location: StoreLocation } => store.location !== undefined;

/** `store` when other processes can open it and it can split its teachers into ranges. */
const shardable = (store: EventStore): ShardableStore | undefined =>
  hasStreamBatchReads(store) && opensElsewhere(store) ? store : undefined;

/**
 * How many worker processes to replay `events` events on; 0: not worth
 * starting any (a short log, or one worker while this thread would wait).
 */
export const parallelWorkers = (events: bigint, options: ParallelOptions): number => {
  if (events < BigInt(options.minEvents ?? DEFAULT_MIN_PARALLEL_EVENTS)) return 0;
  const cores = availableParallelism();
  const beside = options.besideThisThread === true;
  const workers = Math.floor(options.workers ?? Math.min(4, beside ? cores - 1 : cores));
  // One worker is worth it only when this thread has other work meanwhile.
  return beside ? Math.max(1, workers) : workers >= 2 ? workers : 0;
};

/**
 * Chooses how to replay the log into `readModel`: in position order from its
 * checkpoint, unless it is empty and the caller allows `byTeacher`; then in
 * worker processes where the store and the read model are SQLite files (each
 * worker opens its own handles) and the log is long enough, else on this
 * thread where the store reads stream by stream.
 */
export const planReplay = async (request: ReplayRequest): Promise<ReplayPlan> => {
  const { store, readModel, byTeacher } = request;
  if (byTeacher === undefined) return { kind: 'position-order' };
  if ((await readModel.checkpoint(LEDGER_PROJECTION)) !== null) return { kind: 'position-order' };
  const until = request.until ?? (await store.head());
  if (until === null) return { kind: 'position-order' };
  const shards = shardable(store);
  const at = readModel.location;
  if (shards !== undefined && at.kind === 'sqlite') {
    const workers = parallelWorkers(until, byTeacher);
    if (workers > 0) return { kind: 'parallel', store: shards, readModel: at, until, workers };
  }
  const teachers = teacherReadable(store);
  return teachers === undefined
    ? { kind: 'position-order' }
    : { kind: 'by-teacher', store: teachers, until };
};
