import { type ChildProcess, fork } from 'node:child_process';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { IndicatorDefinition } from '@nhagiao/domain';
import type { ReadModelHandle, ReadModelWriter } from '@nhagiao/readmodels';
import { LEDGER_PROJECTION, type StateWrites } from './ledger-applier.js';
import type { ReplayPlan } from './replay-plan.js';
import type { ParentMessage, ShardMessage } from './shard-worker.js';
import { TEACHER_PREFIX } from './teacher-replay.js';
import { REPLAY_NODE_FLAGS } from './node-flags.js';

export interface ParallelReplayOptions {
  /** The plan's store, read model, last position and number of worker processes. */
  readonly plan: Extract<ReplayPlan, { readonly kind: 'parallel' }>;
  /** Where the checkpoint is set once every shard is written. */
  readonly readModel: Pick<ReadModelWriter, 'setCheckpoint'>;
  readonly indicators: readonly IndicatorDefinition[];
  readonly batchSize: number;
  /** Whether teachers' and programmes' states are written (see `replayByTeacher`). */
  readonly states: StateWrites;
  readonly onProgress?: (done: number) => void;
  readonly signal?: AbortSignal;
}

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
export const digestInWorker = async (readModel: ReadModelHandle): Promise<string> => {
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
  const { plan, readModel } = options;
  const { store, workers: count } = plan;
  const storeAt = store.location;
  const readModelAt = plan.readModel;
  // Teachers by ranges of their stream names holding about as many events each.
  const cuts = await store.splitStreams(TEACHER_PREFIX, count);
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
          writesContext: index === 0,
          states: options.states,
          until: plan.until.toString(),
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
    await readModel.setCheckpoint(LEDGER_PROJECTION, plan.until);
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
