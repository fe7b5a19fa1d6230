import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConsumerGoneError,
  ConsumerStalledError,
  EVENTS_STREAM,
  type JetStreamManager,
  type KV,
  type Logger,
  type NatsConnection,
  PROJECTOR_BUCKET,
  acquireLease,
  consumeInOrder,
  keepLease,
  openKvBucket,
  waitForStream,
} from '@nhagiao/bus';
import type { IndicatorDefinition } from '@nhagiao/domain';
import type { ReadModelStore } from '@nhagiao/readmodels';
import { BatchRefusedError, LEDGER_PROJECTION, LedgerApplier } from './ledger-applier.js';

export interface ProjectorOptions {
  readonly nc: NatsConnection;
  readonly readModel: ReadModelStore;
  readonly indicators: readonly IndicatorDefinition[];
  /** The JetStream durable consumer the lease holder (re)creates; keep it equal across replicas. */
  readonly durableName: string;
  /** Most events per read-model transaction; default 2,000. */
  readonly batchSize?: number;
  /** Messages asked for in one pull; default `batchSize`. */
  readonly fetchSize?: number;
  /** Stops the projector once the batch in hand is committed and acked; releases the lease. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Events stream; default `NHAGIAO_EVENTS`. */
  readonly streamName?: string;
  /** Redelivery of an unacked message (set when the consumer is created); default 10 s. */
  readonly ackWaitMs?: number;
  /**
   * The consumer is positioned again when it delivers nothing for this long
   * while the stream holds the next message; default 3 s.
   */
  readonly stallMs?: number;
  /** Messages delivered and not yet acked (set when the consumer is created); default 5,000. */
  readonly maxAckPending?: number;
  /** Unique per running projector; default host, pid and a random part. */
  readonly holderId?: string;
  /** KV bucket of the projectors' leases; default `nhagiao_projectors`. */
  readonly leaseBucket?: string;
  /** A dead projector's lease is taken over after this long; default 3 s. */
  readonly leaseTtlMs?: number;
  /** Replicas of the lease bucket when this creates it; default 1. */
  readonly replicas?: number;
  /**
   * How long a JetStream request may take before the projector tries again;
   * default 2 s (requests go unanswered while a stream elects a leader).
   */
  readonly apiTimeoutMs?: number;
  /** Pause before trying again after NATS or the read model failed; default 1 s. */
  readonly retryDelayMs?: number;
  /** Called after each committed batch (for progress, metrics and benchmarks). */
  readonly onFlush?: (flush: ProjectorFlush) => void;
  /** Told when this process takes the lease (true) or stands by (false). */
  readonly onLease?: (held: boolean, holder: string | null) => void;
  /** Told of each batch the read model refused. */
  readonly onRefused?: (error: BatchRefusedError) => void;
  /** Told of each message JetStream delivered again. */
  readonly onRedelivered?: () => void;
}

export interface ProjectorFlush {
  /** Messages in the batch, including redeliveries skipped. */
  readonly received: number;
  /** The read model's checkpoint after the commit. */
  readonly checkpoint: bigint | null;
  /** When the batch's last event was recorded in the store (ISO-8601), if any. */
  readonly lastRecordedAt: string | null;
  readonly durationMs: number;
}

export interface ProjectorResult {
  readonly received: number;
  readonly checkpoint: bigint | null;
}

/** The checkpoint under which the projector keeps the stream sequence of its last committed message. */
export const streamCursorName = (stream: string): string => `${LEDGER_PROJECTION}@${stream}`;

/** The key a read model's projectors share a lease under. */
export const projectorLeaseKey = async (readModel: ReadModelStore): Promise<string> =>
  `ledger.${await readModel.instanceId()}`;

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Where to read from: just after the message of the last committed batch,
 * which the read model keeps with its checkpoint. A read model whose checkpoint
 * came from elsewhere (a rebuild from the store), or a stream shorter than
 * that (created again), is read from the start; what the checkpoint already
 * covers is skipped by position.
 */
const startSequence = async (
  readModel: ReadModelStore,
  jsm: JetStreamManager,
  stream: string,
): Promise<number> => {
  const checkpoint = await readModel.checkpoint(LEDGER_PROJECTION);
  if (checkpoint === null) return 1;
  const cursor = await readModel.checkpoint(streamCursorName(stream));
  if (cursor === null) return 1;
  const lastSequence = (await jsm.streams.info(stream)).state.last_seq;
  if (cursor > BigInt(lastSequence)) return 1;
  return Number(cursor) + 1;
};

/**
 * The live projection. Of the projectors of one read model (any consumer
 * names, any hosts) one holds a lease in JetStream KV (key: the read model's
 * instance id) and projects; the others stand by and take over once it has
 * gone unrenewed for the lease's ttl.
 *
 * The holder reads where to start from the read model (the stream sequence
 * committed with its checkpoint), creates its durable pull consumer there, and
 * applies each run of consecutive messages in stream order (= log order),
 * committing it with its checkpoint in one read-model transaction before
 * acking it. The read model accepts a batch only if it continues from its
 * checkpoint: a paused holder that resumes after another took over, or any
 * other writer, has its batch refused, and then positions again from the
 * read model (or stands by, having lost the lease). Nothing is written twice
 * or skipped, whatever runs. Resolves when `signal` aborts.
 */
export const runProjector = async (options: ProjectorOptions): Promise<ProjectorResult> => {
  const { nc, readModel, logger, signal } = options;
  const stream = options.streamName ?? EVENTS_STREAM;
  const ttl = options.leaseTtlMs ?? 3_000;
  const retry = options.retryDelayMs ?? 1_000;
  const apiTimeout = options.apiTimeoutMs ?? 2_000;
  const holderId = options.holderId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const batchSize = options.batchSize ?? 2_000;
  let received = 0;
  let told: string | null = null;
  const say = (
    key: string,
    level: 'info' | 'warn',
    text: string,
    fields: Record<string, unknown>,
  ) => {
    // The same trouble over and over (NATS down for a minute) is told once.
    if (told === key) return;
    told = key;
    logger[level](text, fields);
  };

  const project = async (term: AbortSignal, jsm: JetStreamManager): Promise<void> => {
    while (!term.aborted) {
      const applier = await LedgerApplier.open({ readModel, indicators: options.indicators });
      const start = await startSequence(readModel, jsm, stream);
      logger.info('projector positioned from the read model', {
        durable: options.durableName,
        checkpoint: applier.checkpoint?.toString() ?? null,
        fromSequence: start,
      });
      try {
        await consumeInOrder(
          nc.jetstream({ timeout: apiTimeout }),
          options.durableName,
          async (events, last) => {
            const started = performance.now();
            for (const event of events) await applier.take(event);
            await applier.flush(false, [
              { name: streamCursorName(stream), position: BigInt(last) },
            ]);
            received += events.length;
            told = null;
            options.onFlush?.({
              received: events.length,
              checkpoint: applier.checkpoint,
              lastRecordedAt: events[events.length - 1]?.recordedAt ?? null,
              durationMs: performance.now() - started,
            });
          },
          {
            stream,
            startSequence: start,
            batchSize,
            ...(options.fetchSize === undefined ? {} : { fetchSize: options.fetchSize }),
            maxAckPending: options.maxAckPending ?? 5_000,
            ackWaitMs: options.ackWaitMs ?? 10_000,
            ...(options.stallMs === undefined ? {} : { stallMs: options.stallMs }),
            signal: term,
            logger,
            ...(options.onRedelivered ? { onRedelivered: options.onRedelivered } : {}),
          },
        );
        return;
      } catch (error) {
        if (error instanceof BatchRefusedError) {
          options.onRefused?.(error);
          logger.warn('projector batch refused by the read model: positioning again from it', {
            expected: error.expected?.toString() ?? null,
            stored: error.stored?.toString() ?? null,
            batchEnd: error.checkpoint.toString(),
          });
          continue;
        }
        if (error instanceof ConsumerGoneError) {
          logger.warn('projector consumer was deleted: positioning again', {
            durable: options.durableName,
          });
          // A consumer lost with its node may be reported gone again at once: no spinning.
          await sleep(250, undefined, { signal: term }).catch(() => undefined);
          continue;
        }
        if (error instanceof ConsumerStalledError) {
          logger.warn('projector consumer delivers nothing: positioning again', {
            durable: options.durableName,
            waitingFor: error.waitingFor,
            streamLastSequence: error.streamLastSequence,
            idleMs: Math.round(error.idleMs),
          });
          continue;
        }
        throw error;
      }
    }
  };

  /** What the projector was doing when it was interrupted, for the log. */
  let step = 'connecting to JetStream';
  let kv: KV | undefined;
  while (!signal.aborted) {
    try {
      step = 'connecting to JetStream';
      const jsm = await nc.jetstreamManager({ timeout: apiTimeout, checkAPI: false });
      step = 'looking for the events stream';
      await waitForStream(jsm, stream, signal, () =>
        logger.info('projector waits for the events stream', { stream }),
      );
      if (signal.aborted) break;
      step = 'opening the lease bucket';
      // Opened once: the handle outlives reconnects, and each open costs requests
      // that time out while JetStream elects leaders.
      kv ??= await openKvBucket(
        nc.jetstream({ timeout: apiTimeout }),
        options.leaseBucket ?? PROJECTOR_BUCKET,
        {
          ...(options.replicas === undefined ? {} : { replicas: options.replicas }),
        },
      );
      step = 'reading the read model';
      const key = await projectorLeaseKey(readModel);
      step = 'acquiring the lease';
      const lease = await acquireLease(kv, key, holderId, ttl, {
        signal,
        onWait: (holder) => {
          options.onLease?.(false, holder);
          logger.info('projector standing by: another holds the read model', { holder, key });
        },
      });
      told = null;
      options.onLease?.(true, holderId);
      logger.info('projector holds the read model: projecting', { holderId, key });
      const keeper = keepLease(lease);
      step = 'projecting';
      try {
        await project(AbortSignal.any([signal, keeper.lost]), jsm);
        if (keeper.lost.aborted) throw keeper.lost.reason;
      } finally {
        keeper.stop();
        if (signal.aborted) await lease.release().catch(() => undefined);
      }
    } catch (error) {
      if (signal.aborted) break;
      options.onLease?.(false, null);
      say(
        `${step}: ${message(error)}`,
        'warn',
        'projector interrupted: standing by, then trying again',
        {
          step,
          error: message(error),
        },
      );
      await sleep(retry, undefined, { signal }).catch(() => undefined);
    }
  }
  const checkpoint = await readModel.checkpoint(LEDGER_PROJECTION).catch(() => null);
  logger.info('projector stopped', {
    durable: options.durableName,
    checkpoint: checkpoint?.toString() ?? null,
  });
  return { received, checkpoint };
};
