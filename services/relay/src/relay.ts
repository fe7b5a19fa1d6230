import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CheckpointStore,
  type KV,
  type Logger,
  type NatsConnection,
  RELAY_BUCKET,
  acquireLease,
  createPipelinedPublisher,
  ensureEventsStream,
  keepLease,
  openKvBucket,
  readStreamTail,
  EVENTS_STREAM,
} from '@nhagiao/bus';
import type { EventStore } from '@nhagiao/eventstore';

export interface RelayOptions {
  readonly store: EventStore;
  readonly nc: NatsConnection;
  readonly checkpoint: CheckpointStore;
  /** Unique per running relay process. */
  readonly holderId: string;
  /** Stops the relay: it finishes outstanding acks, saves its checkpoint and releases its lease. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Events stream; default `NHAGIAO_EVENTS`. */
  readonly streamName?: string;
  readonly duplicateWindowMs?: number;
  /** KV bucket of the lease; default `nhagiao_relay`. */
  readonly leaseBucket?: string;
  readonly leaseKey?: string;
  /** A dead relay's lease is taken over after this long; default 10 s. */
  readonly leaseTtlMs?: number;
  /** Publish acks in flight; default 1,000. */
  readonly maxOutstanding?: number;
  /** How often the checkpoint is written while events flow; default 500 ms. */
  readonly checkpointIntervalMs?: number;
  /** Pause before retrying after NATS or the store failed; default 1 s. */
  readonly retryDelayMs?: number;
  /** Replicas of the events stream and the lease bucket when this creates them (3 on a 3-node cluster); default 1. */
  readonly replicas?: number;
  /** Called with each new acknowledged high-water mark (for status and benchmarks). */
  readonly onPublished?: (position: bigint) => void;
  /**
   * How long a JetStream API request may take before the relay starts over;
   * default 2 s. While a stream elects a new leader requests go unanswered: a
   * short wait retries soon after the election. (Publish acks have the
   * publisher's own 5 s, which a loaded machine needs.)
   */
  readonly apiTimeoutMs?: number;
  /** Told when this relay takes the lease (true) or waits for another's (false). */
  readonly onLease?: (held: boolean, holder: string | null) => void;
}

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * One publishing session under a held lease: resume after the stream's tail,
 * publish in order with chained sequences, checkpoint the ack high-water mark.
 * Returns when `session` aborts; throws when publishing fails.
 */
const publishSession = async (options: RelayOptions, session: AbortSignal): Promise<void> => {
  const { store, nc, checkpoint, logger } = options;
  const streamName = options.streamName ?? EVENTS_STREAM;
  const jsm = await nc.jetstreamManager({
    timeout: options.apiTimeoutMs ?? 2_000,
    checkAPI: false,
  });
  const tail = await readStreamTail(jsm, streamName);
  const saved = await checkpoint.load();
  // JetStream itself is the truth of what was published: its tail is never behind
  // the checkpoint (which is written after acks), and is ahead of it after a
  // crash between publish and checkpoint.
  if (saved !== null && (tail.position === null || saved > tail.position))
    logger.warn('relay checkpoint is ahead of the stream: republishing from the stream tail', {
      checkpoint: saved.toString(),
      tail: tail.position?.toString() ?? null,
    });
  const after = tail.position ?? undefined;
  logger.info('relay publishing', {
    after: after?.toString() ?? 'start',
    checkpoint: saved?.toString() ?? null,
    streamSequence: tail.lastSequence,
  });

  const failed = new AbortController();
  const stop = AbortSignal.any([session, failed.signal]);
  let acked: bigint | null = tail.position;
  let written = saved;
  const publisher = createPipelinedPublisher(nc, {
    chainFromSequence: tail.lastSequence,
    maxOutstanding: options.maxOutstanding ?? 1_000,
    onHighWater: (p) => {
      acked = p;
      options.onPublished?.(p);
    },
    onFailure: (e) => failed.abort(e),
  });

  let writing: Promise<void> = Promise.resolve();
  const writeCheckpoint = (): Promise<void> => {
    // Each write starts afresh: one that failed (NATS away) does not fail the next.
    writing = writing
      .catch(() => undefined)
      .then(async () => {
        const p = acked;
        if (p !== null && (written === null || p !== written)) {
          await checkpoint.save(p);
          written = p;
        }
      });
    return writing;
  };
  let failing = false;
  const ticker = setInterval(() => {
    writeCheckpoint().then(
      () => {
        if (failing) logger.info('relay checkpoint written again', { checkpoint: String(written) });
        failing = false;
      },
      (e: unknown) => {
        if (!failing)
          logger.warn('relay checkpoint not written; retrying until it is', { error: message(e) });
        failing = true;
      },
    );
  }, options.checkpointIntervalMs ?? 500);

  try {
    try {
      for await (const m of store.subscribe({
        ...(after === undefined ? {} : { after }),
        signal: stop,
      })) {
        if (stop.aborted) break;
        if (m.kind === 'event') await publisher.publish(m.event);
        else
          logger.info('relay caught up with the store', {
            position: m.position?.toString() ?? null,
          });
      }
    } catch (error) {
      if (!stop.aborted) throw error;
    }
    if (failed.signal.aborted) throw failed.signal.reason;
    // Graceful stop: wait for outstanding acks so the checkpoint is as far as it can be.
    await publisher.flush();
  } finally {
    clearInterval(ticker);
    publisher.close();
  }
  await writeCheckpoint();
  logger.info('relay stopped publishing', { checkpoint: written?.toString() ?? null });
};

/**
 * Runs the relay until `signal` aborts: waits for the lease, then publishes the
 * store's global log to JetStream, checkpointing after acks. When NATS or the
 * store fails, or the lease is lost, it steps back, waits, and starts over from
 * the stream's tail, so nothing is skipped and JetStream holds each event once.
 */
export const runRelay = async (options: RelayOptions): Promise<void> => {
  const { nc, logger, signal, holderId } = options;
  const ttl = options.leaseTtlMs ?? 10_000;
  const retry = options.retryDelayMs ?? 1_000;
  // The same trouble over and over (NATS down for a minute) is told once.
  let told: string | null = null;
  /** What the relay was doing when it was interrupted, for the log. */
  let step = 'connecting to JetStream';
  let kv: KV | undefined;
  while (!signal.aborted) {
    try {
      step = 'connecting to JetStream';
      const jsm = await nc.jetstreamManager({
        timeout: options.apiTimeoutMs ?? 2_000,
        checkAPI: false,
      });
      step = 'checking the events stream';
      await ensureEventsStream(jsm, {
        ...(options.streamName === undefined ? {} : { name: options.streamName }),
        ...(options.duplicateWindowMs === undefined
          ? {}
          : { duplicateWindowMs: options.duplicateWindowMs }),
        ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
      });
      step = 'opening the lease bucket';
      // Opened once: the handle outlives reconnects.
      kv ??= await openKvBucket(
        nc.jetstream({ timeout: options.apiTimeoutMs ?? 2_000 }),
        options.leaseBucket ?? RELAY_BUCKET,
        {
          ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
        },
      );
      step = 'acquiring the lease';
      const lease = await acquireLease(kv, options.leaseKey ?? 'lease', holderId, ttl, {
        signal,
        onWait: (holder) => {
          options.onLease?.(false, holder);
          logger.info('relay waiting for the lease', { holder });
        },
      });
      told = null;
      options.onLease?.(true, holderId);
      logger.info('relay holds the lease', { holderId });
      const keeper = keepLease(lease);
      step = 'publishing';
      try {
        await publishSession(options, AbortSignal.any([signal, keeper.lost]));
        if (keeper.lost.aborted) throw keeper.lost.reason;
      } finally {
        keeper.stop();
        if (signal.aborted) await lease.release().catch(() => undefined);
      }
    } catch (error) {
      if (signal.aborted) break;
      options.onLease?.(false, null);
      if (told !== `${step}: ${message(error)}`) {
        told = `${step}: ${message(error)}`;
        logger.warn('relay interrupted; starting over from the stream tail', {
          step,
          error: message(error),
        });
      }
      await sleep(retry, undefined, { signal }).catch(() => undefined);
    }
  }
};
