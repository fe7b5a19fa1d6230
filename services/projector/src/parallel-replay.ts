import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import type { IndicatorDefinition } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import type { ReadModelStore } from '@nhagiao/readmodels';
import { LEDGER_PROJECTION } from './ledger-applier.js';
import type { ShardMessage, ShardWork } from './shard-worker.js';

export interface ParallelOptions {
  /** Threads to replay on (default: the cores available, at most 4). */
  readonly workers?: number;
  /** Below this many events one thread is faster than starting others (default 100,000). */
  readonly minEvents?: number;
}

export interface ParallelReplayOptions {
  readonly store: EventStore;
  readonly readModel: ReadModelStore;
  readonly indicators: readonly IndicatorDefinition[];
  /** Replay positions up to this one (inclusive). */
  readonly until: bigint;
  readonly workers: number;
  readonly batchSize: number;
  readonly onProgress?: (done: number) => void;
  readonly signal?: AbortSignal;
}

export const DEFAULT_MIN_PARALLEL_EVENTS = 100_000;

/** How many threads to use for a replay of `events` events into an empty read model; 1 means don't. */
export const parallelWorkers = (
  store: EventStore,
  readModel: ReadModelStore,
  events: bigint,
  options: ParallelOptions | undefined,
): number => {
  // SQLite on both sides: the shards' readers and writers are plain file handles.
  if (options === undefined || store.location === undefined || readModel.location.kind !== 'sqlite')
    return 1;
  if (events < BigInt(options.minEvents ?? DEFAULT_MIN_PARALLEL_EVENTS)) return 1;
  return Math.max(1, Math.floor(options.workers ?? Math.min(4, availableParallelism())));
};

/**
 * The file of this module. Neither `import.meta` (jest compiles to CommonJS) nor
 * `__dirname` (tsx runs ESM) works under both runtimes; the V8 call site does.
 */
const thisFile = (): string => {
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const file = (new Error().stack as unknown as NodeJS.CallSite[])[0]?.getFileName();
    if (file === undefined || file === null) throw new Error('cannot locate the replay worker');
    return file.startsWith('file://') ? new URL(file).pathname : file;
  } finally {
    Error.prepareStackTrace = original;
  }
};

/**
 * The shard worker as one CommonJS script, bundled with esbuild from its
 * TypeScript (as the dashboard is bundled at start-up): loaded through tsx's
 * hooks, module by module, a thread spent seconds starting. Only the native
 * SQLite binding stays outside, required from where the store resolves it.
 * Built once per process.
 */
let bundled: Promise<string> | undefined;
const workerScript = (): Promise<string> => {
  bundled ??= (async () => {
    const self = thisFile();
    const result = await build({
      entryPoints: [self.replace(/parallel-replay\.(ts|js)$/, 'shard-worker.$1')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      plugins: [
        {
          name: 'native-sqlite',
          setup(b) {
            // Resolved as the importing package sees it, then left to require at run time.
            b.onResolve({ filter: /^better-sqlite3$/ }, async (args) => {
              if (args.pluginData === 'native-sqlite') return undefined;
              const found = await b.resolve(args.path, {
                kind: args.kind,
                resolveDir: args.resolveDir,
                pluginData: 'native-sqlite',
              });
              if (found.errors.length > 0) return { errors: found.errors };
              return { path: found.path, external: true };
            });
          },
        },
      ],
    });
    const [output] = result.outputFiles;
    if (output === undefined) throw new Error('the replay worker could not be bundled');
    return output.text;
  })();
  return bundled;
};

/**
 * Replays the log up to `until` into an empty read model on several threads.
 * Each thread reads the store itself and projects one shard of the teachers
 * (a teacher's figures depend only on its own events and the programmes', which
 * every shard reads), writing its rows and states under its own checkpoint; the
 * writes take turns through a lock. When all are done the shards' checkpoints
 * become the one ledger checkpoint at `until`, in one transaction. The rows are
 * those a single thread writes (the digest sorts them); only their physical
 * order differs. A replay that fails or is aborted leaves no ledger checkpoint:
 * it starts again from nothing.
 */
export const replayInParallel = async (options: ParallelReplayOptions): Promise<number> => {
  const { store, readModel, workers: count } = options;
  const storeAt = store.location;
  const readModelAt = readModel.location;
  if (storeAt === undefined || readModelAt.kind !== 'sqlite')
    throw new Error('parallel replay needs an SQLite event store and an SQLite read model');
  const script = await workerScript();
  const lock = new SharedArrayBuffer(4);
  const names = Array.from({ length: count }, (_, i) => `${LEDGER_PROJECTION}@${i + 1}/${count}`);
  const progress = new Array<number>(count).fill(0);
  const threads: Worker[] = [];
  const results = names.map(
    (projection, index) =>
      new Promise<number>((resolve, reject) => {
        const thread = new Worker(script, {
          eval: true,
          workerData: {
            store: storeAt,
            readModel: readModelAt,
            indicators: options.indicators,
            shard: { index, count },
            projection,
            until: options.until.toString(),
            batchSize: options.batchSize,
            pageSize: 5000,
            lock,
          } satisfies ShardWork,
        });
        threads.push(thread);
        let done = false;
        thread.on('message', (message: ShardMessage) => {
          progress[index] = message.applied;
          options.onProgress?.(progress.reduce((a, b) => a + b, 0));
          if (message.kind === 'done') {
            done = true;
            resolve(message.applied);
          }
        });
        thread.on('error', reject);
        thread.on('exit', (code) => {
          if (!done)
            reject(new Error(`replay shard ${index + 1}/${count} stopped (exit code ${code})`));
        });
      }),
  );
  const stop = (): void => {
    for (const thread of threads) void thread.terminate();
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const applied = await Promise.all(results);
    await readModel.mergeCheckpoints(LEDGER_PROJECTION, names, options.until);
    return applied.reduce((a, b) => a + b, 0);
  } catch (error) {
    stop();
    if (options.signal?.aborted) return 0;
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }
};
