import { EVENTS_STREAM, type Logger } from '@nhagiao/bus';
import type { IndicatorDefinition } from '@nhagiao/domain';
import type { ReadModelStore } from '@nhagiao/readmodels';
import { type NatsConnection, NatsError } from 'nats';
import { LEDGER_PROJECTION, LedgerApplier } from './ledger-applier.js';
import { consumeInOrder } from './ordered-consumer.js';

export interface ProjectorOptions {
  readonly nc: NatsConnection;
  readonly readModel: ReadModelStore;
  readonly indicators: readonly IndicatorDefinition[];
  /** The JetStream durable consumer: one per read model (version). */
  readonly durableName: string;
  /** Most events per read-model transaction; default 2,000. */
  readonly batchSize?: number;
  /** Stops once the batch in hand is committed and acked. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Events stream; default `NHAGIAO_EVENTS`. */
  readonly streamName?: string;
  /** Redelivery of an unacked message (set when the consumer is created); default 10 s. */
  readonly ackWaitMs?: number;
  /** Messages delivered and not yet acked (set when the consumer is created); default 5,000. */
  readonly maxAckPending?: number;
  /** Called after each committed batch (for status lines and benchmarks). */
  readonly onFlush?: (flush: ProjectorFlush) => void;
}

export interface ProjectorFlush {
  /** Messages in the batch, including redeliveries skipped. */
  readonly received: number;
  /** The read model's checkpoint after the commit. */
  readonly checkpoint: bigint | null;
  readonly durationMs: number;
}

export interface ProjectorResult {
  readonly received: number;
  readonly checkpoint: bigint | null;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

/** The relay creates the stream; a projector started first waits for it rather than guess its settings. */
const waitForStream = async (
  nc: NatsConnection,
  stream: string,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> => {
  const jsm = await nc.jetstreamManager();
  let told = false;
  while (!signal.aborted) {
    try {
      await jsm.streams.info(stream);
      return;
    } catch (error) {
      const missing =
        error instanceof NatsError && (error.api_error?.err_code === 10059 || error.code === '404');
      if (!missing) throw error;
      if (!told) logger.info('projector waits for the events stream', { stream });
      told = true;
      await sleep(250, signal);
    }
  }
};

/**
 * The live projection: a durable JetStream pull consumer with explicit acks
 * feeding a `LedgerApplier`. Each run of consecutive messages is applied in
 * stream order (= log order) and committed with its checkpoint in one
 * read-model transaction, and only then acked; events at or below the
 * checkpoint (redeliveries, a re-publish after the dedupe window, a restart
 * after a crash between commit and ack) are acked and skipped, so nothing is
 * counted twice. Resolves when `signal` aborts; rejects when the read model
 * fails (what was not committed is nak'ed: restart the projector).
 */
export const runProjector = async (options: ProjectorOptions): Promise<ProjectorResult> => {
  const { nc, readModel, logger, signal } = options;
  const stream = options.streamName ?? EVENTS_STREAM;
  await waitForStream(nc, stream, signal, logger);
  if (signal.aborted)
    return { received: 0, checkpoint: await readModel.checkpoint(LEDGER_PROJECTION) };
  const applier = await LedgerApplier.open({ readModel, indicators: options.indicators });
  logger.info('projector consuming', {
    durable: options.durableName,
    version: readModel.version,
    checkpoint: applier.checkpoint?.toString() ?? null,
  });
  let received = 0;
  await consumeInOrder(
    nc.jetstream(),
    options.durableName,
    async (events) => {
      const started = performance.now();
      for (const event of events) await applier.take(event);
      await applier.flush();
      received += events.length;
      options.onFlush?.({
        received: events.length,
        checkpoint: applier.checkpoint,
        durationMs: performance.now() - started,
      });
    },
    {
      stream,
      batchSize: options.batchSize ?? 2_000,
      maxAckPending: options.maxAckPending ?? 5_000,
      ackWaitMs: options.ackWaitMs ?? 10_000,
      signal,
      logger,
    },
  );
  logger.info('projector stopped', {
    durable: options.durableName,
    checkpoint: applier.checkpoint?.toString() ?? null,
  });
  return { received, checkpoint: applier.checkpoint };
};
