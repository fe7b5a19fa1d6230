import { type ChildProcess, fork } from 'node:child_process';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import type { IndicatorDefinition } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import type { ReadModelStore } from '@nhagiao/readmodels';
import { LEDGER_PROJECTION } from './ledger-applier.js';
import type { ParentMessage, ShardMessage } from './shard-worker.js';
import { TEACHER_PREFIX } from './teacher-replay.js';
import { REPLAY_NODE_FLAGS } from './node-flags.js';

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

export interface ParallelReplayOptions {
  readonly store: EventStore;
  readonly readModel: ReadModelStore;
  readonly indicators: readonly IndicatorDefinition[];
  /** Replay positions up to this one (inclusive). */
  readonly until: bigint;
  readonly workers: number;
  readonly batchSize: number;
  /** Whether teachers' and programmes' states are written (default true; see `replayByTeacher`). */
  readonly states?: boolean;
  readonly onProgress?: (done: number) => void;
  readonly signal?: AbortSignal;
}

export const DEFAULT_MIN_PARALLEL_EVENTS = 100_000;

/**
 * How many worker processes to replay `events` events into an empty read model
 * on; 0: replay on this thread.
 */
export const parallelWorkers = (
  store: EventStore,
  readModel: ReadModelStore,
  events: bigint,
  options: ParallelOptions | undefined,
): number => {
  // SQLite on both sides: the shards' readers and writers are plain file handles.
  if (
    options === undefined ||
    store.location === undefined ||
    store.splitStreams === undefined ||
    readModel.location.kind !== 'sqlite'
  )
    return 0;
  if (events < BigInt(options.minEvents ?? DEFAULT_MIN_PARALLEL_EVENTS)) return 0;
  const cores = availableParallelism();
  const beside = options.besideThisThread === true;
  const workers = Math.floor(options.workers ?? Math.min(4, beside ? cores - 1 : cores));
  // One worker is worth it only when this thread has other work meanwhile.
  return beside ? Math.max(1, workers) : workers >= 2 ? workers : 0;
};

/**
 * The shard worker beside this module: the compiled `shard-worker.js` in the
 * build, run as it is; from source (tests, development), `shard-worker.ts`
 * started through tsx's loader.
 */
const workerScript = (): { readonly script: string; readonly execArgv: readonly string[] } => {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts'))
    return { script: path.join(path.dirname(here), 'shard-worker.js'), execArgv: [] };
  const tsx = pathToFileURL(createRequire(here).resolve('tsx')).href;
  return { script: path.join(path.dirname(here), 'shard-worker.ts'), execArgv: ['--import', tsx] };
};

/**
 * Checks that the shard worker is there before the replay starts (a caller that
 * keeps this thread busy meanwhile, verify, learns it now rather than later).
 */
export const prepareParallelReplay = async (): Promise<void> => {
  const { script } = workerScript();
  await access(script);
};

const forkWorker = (): ChildProcess => {
  const { script, execArgv } = workerScript();
  return fork(script, [], {
    execArgv: [...REPLAY_NODE_FLAGS, ...execArgv],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
};

/**
 * `readModel.digest()` of an SQLite read model, computed in a worker process:
 * a caller whose own thread is busy meanwhile (verify, hashing the Merkle tree)
 * gets both ledgers' digests without waiting for them one after the other.
 */
export const digestInWorker = async (readModel: ReadModelStore): Promise<string> => {
  const at = readModel.location;
  if (at.kind !== 'sqlite') throw new Error('only an SQLite read model is digested in a worker');
  return runWorker(
    { kind: 'digest', readModel: at },
    `the digest of read model ${at.version}`,
    (message) => (message.kind === 'digested' ? message.digest : undefined),
  ).result;
};

/**
 * Runs one job in a worker process. `result` holds what `onMessage` last made
 * of the worker's messages once it exits; without one, it fails naming `what`
 * and the worker's reason: its `failed` message, else its stderr, else how it
 * exited. `onExit` runs first, whatever the outcome.
 */
const runWorker = <T>(
  job: ParentMessage,
  what: string,
  onMessage: (message: ShardMessage, child: ChildProcess) => T | undefined,
  onExit?: () => void,
): { readonly child: ChildProcess; readonly result: Promise<T> } => {
  const child = forkWorker();
  const result = new Promise<T>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    let outcome: { value: T } | { failed: string } | undefined;
    child.on('message', (message: ShardMessage) => {
      if (message.kind === 'failed') outcome = { failed: message.message };
      else {
        const value = onMessage(message, child);
        if (value !== undefined) outcome = { value };
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      onExit?.();
      if (outcome !== undefined && 'value' in outcome) resolve(outcome.value);
      else
        reject(
          new Error(
            `${what} failed: ${outcome?.failed ?? (stderr.trim() || `exit ${code ?? signal}`)}`,
          ),
        );
    });
  });
  child.send(job);
  return { child, result };
};

export interface ParallelReplayResult {
  readonly applied: number;
  /** Each shard process's peak memory, MB. */
  readonly shardPeakRssMb: readonly number[];
}

interface ShardResult {
  readonly applied: number;
  readonly maxRssMb: number;
}

/**
 * Replays the log up to `until` into an empty read model in several processes.
 * Each reads the store itself and projects the teachers of one range of
 * stream names (`splitStreams`: about as many events in each), one
 * teacher at a time (`replayByTeacher`: a teacher's figures depend only on its
 * own events and the programmes', which every shard reads), writing its rows and
 * states; the writes take turns through a lock this process hands out. When all
 * are done the ledger checkpoint is set at `until`. The rows are those a single
 * thread writes in position order (the digest sorts them); only their physical
 * order differs. A replay that fails or is aborted leaves no ledger checkpoint:
 * it starts again from nothing.
 *
 * Processes rather than worker threads: a rebuild measured the same either way
 * on 2 cores, and a process keeps a shard's memory (its peak is reported) and
 * a crash to itself.
 */
export const replayInParallel = async (
  options: ParallelReplayOptions,
): Promise<ParallelReplayResult> => {
  const { store, readModel, workers: count } = options;
  const storeAt = store.location;
  const readModelAt = readModel.location;
  if (storeAt === undefined || readModelAt.kind !== 'sqlite')
    throw new Error('parallel replay needs an SQLite event store and an SQLite read model');
  const splitStreams = store.splitStreams?.bind(store);
  if (splitStreams === undefined)
    throw new Error('parallel replay needs a store that can split its streams into ranges');
  // Teachers by ranges of their stream names holding about as many events each.
  const cuts = await splitStreams(TEACHER_PREFIX, count);
  const progress = new Array<number>(count).fill(0);
  const children: ChildProcess[] = [];
  // The write lock: the shard holding it, and those waiting in turn.
  let holder: ChildProcess | undefined;
  const waiting: ChildProcess[] = [];
  const grant = (): void => {
    if (holder !== undefined) return;
    holder = waiting.shift();
    holder?.send({ kind: 'granted' } satisfies ParentMessage);
  };
  const results = Array.from({ length: count }, (_, index) => {
    const shard = runWorker<ShardResult>(
      {
        kind: 'work',
        work: {
          store: storeAt,
          readModel: readModelAt,
          indicators: options.indicators,
          teachers: {
            ...(index === 0 ? {} : { from: cuts[index - 1] }),
            ...(index === count - 1 ? {} : { to: cuts[index] }),
          },
          records: index === 0,
          states: options.states ?? true,
          until: options.until.toString(),
          batchSize: options.batchSize,
          shared: count > 1,
        },
      },
      `replay shard ${index + 1}/${count}`,
      (message, child) => {
        switch (message.kind) {
          case 'lock':
            waiting.push(child);
            grant();
            return undefined;
          case 'unlock':
            if (holder === child) holder = undefined;
            grant();
            return undefined;
          case 'progress':
          case 'done':
            progress[index] = message.applied;
            options.onProgress?.(progress.reduce((a, b) => a + b, 0));
            return message.kind === 'done'
              ? { applied: message.applied, maxRssMb: message.maxRssMb }
              : undefined;
          default:
            return undefined;
        }
      },
      () => {
        if (holder === shard.child) holder = undefined;
        grant();
      },
    );
    children.push(shard.child);
    return shard.result;
  });
  const stop = (): void => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const shards = await Promise.all(results);
    await readModel.setCheckpoint(LEDGER_PROJECTION, options.until);
    return {
      applied: shards.reduce((sum, shard) => sum + shard.applied, 0),
      shardPeakRssMb: shards.map((shard) => shard.maxRssMb),
    };
  } catch (error) {
    stop();
    await Promise.allSettled(results);
    if (options.signal?.aborted) return { applied: 0, shardPeakRssMb: [] };
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
};
