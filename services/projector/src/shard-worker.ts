/**
 * A worker process of a replay (see parallel-replay.ts), given one job in its
 * first message from the parent: the digest of a read model, or one shard of a
 * parallel replay. A shard opens its own handles to the event store and the
 * read model, replays the teachers of its range up to the given position one
 * teacher at a time (`replayByTeacher`) and writes their rows and states, each
 * write while holding the lock the parent hands to one shard at a time.
 */
import type { IndicatorDefinition } from '@nhagiao/domain';
// The adapters' own entry points: nothing of the other adapters' clients is bundled.
import type { StoreLocation, StreamRange } from '@nhagiao/eventstore/port';
import { openSqliteEventStore } from '@nhagiao/eventstore/sqlite';
import { openSqliteReadModel } from '@nhagiao/readmodels/sqlite';
import type { StateWrites } from './ledger-applier.js';
import { type SqliteReadModelAt, teacherReadable } from './replay-plan.js';
import { replayByTeacher } from './teacher-replay.js';

export interface ShardWork {
  readonly store: StoreLocation;
  readonly readModel: SqliteReadModelAt;
  readonly indicators: readonly IndicatorDefinition[];
  /** The teachers this shard replays: their streams' range. */
  readonly teachers: StreamRange;
  /** Whether this shard also writes the context, what is not a teacher's (one shard does). */
  readonly writesContext: boolean;
  /** Whether teachers' and programmes' states are written. */
  readonly states: StateWrites;
  /** Last position to replay (decimal). */
  readonly until: string;
  readonly batchSize: number;
  /** Whether other shards write too: then each write waits for the parent's lock. */
  readonly shared: boolean;
}

/** From a worker to its parent. */
export type ShardMessage =
  | { readonly kind: 'progress'; readonly applied: number }
  | { readonly kind: 'lock' }
  | { readonly kind: 'unlock' }
  /** `maxRssMb`: the shard process's peak memory. */
  | { readonly kind: 'done'; readonly applied: number; readonly maxRssMb: number }
  | { readonly kind: 'digested'; readonly digest: string }
  | { readonly kind: 'failed'; readonly message: string };

/** From the parent to a worker. */
export type ParentMessage =
  | { readonly kind: 'work'; readonly work: ShardWork }
  | { readonly kind: 'granted' }
  | { readonly kind: 'digest'; readonly readModel: SqliteReadModelAt };

const send = (message: ShardMessage): Promise<void> =>
  new Promise((resolve, reject) => {
    if (process.send === undefined) reject(new Error('a replay shard runs only under its parent'));
    else process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });

let granted: (() => void) | undefined;

/** Writes take turns across shards: the parent grants the lock to one at a time. */
const underLock = async <T>(write: () => Promise<T>): Promise<T> => {
  const turn = new Promise<void>((resolve) => (granted = resolve));
  await send({ kind: 'lock' });
  await turn;
  try {
    return await write();
  } finally {
    await send({ kind: 'unlock' });
  }
};

const run = async (work: ShardWork): Promise<number> => {
  const store = openSqliteEventStore(work.store.path, { readOnly: true });
  const readModel = await openSqliteReadModel(work.readModel.path, {
    version: work.readModel.version,
  });
  try {
    const pages = teacherReadable(store);
    if (pages === undefined) throw new Error(`the event store ${work.store.path} reads no pages`);
    return await replayByTeacher({
      store: pages,
      readModel,
      indicators: work.indicators,
      until: BigInt(work.until),
      teachers: work.teachers,
      writesContext: work.writesContext,
      states: work.states,
      batchSize: work.batchSize,
      ...(work.shared ? { writeLock: underLock } : {}),
      onProgress: (applied) => send({ kind: 'progress', applied }),
    });
  } finally {
    await readModel.close();
    await store.close();
  }
};

const digest = async (at: SqliteReadModelAt): Promise<string> => {
  const readModel = await openSqliteReadModel(at.path, { version: at.version });
  try {
    return await readModel.digest();
  } finally {
    await readModel.close();
  }
};

process.on('message', (message: ParentMessage) => {
  if (message.kind === 'granted') {
    granted?.();
    return;
  }
  const job =
    message.kind === 'work'
      ? run(message.work).then((applied) =>
          send({ kind: 'done', applied, maxRssMb: process.resourceUsage().maxRSS / 1024 }),
        )
      : digest(message.readModel).then((hex) => send({ kind: 'digested', digest: hex }));
  job.then(
    () => process.disconnect(),
    async (error: unknown) => {
      await send({
        kind: 'failed',
        message: error instanceof Error ? error.message : String(error),
      });
      process.exit(1);
    },
  );
});
