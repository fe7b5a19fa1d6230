import {
  EVENTS_STREAM,
  type Logger,
  decodeEventMessage,
  ensureDurableConsumer,
} from '@nhagiao/bus';
import type { RecordedEvent } from '@nhagiao/domain';
import type { ConsumerMessages, JetStreamClient, JsMsg } from 'nats';

export interface OrderedConsumeOptions {
  readonly stream?: string;
  /** Most events handed to one handler call. */
  readonly batchSize: number;
  /** Unacknowledged messages the server lets the consumer hold (set when the consumer is created). */
  readonly maxAckPending: number;
  /** Redelivery after this long without an ack (set when the consumer is created). */
  readonly ackWaitMs: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** Handles a run of consecutive stream messages; they are acked once it resolves. */
export type OrderedBatchHandler = (events: readonly RecordedEvent[]) => Promise<void>;

const GAP_WARNING_MS = 5_000;

/**
 * Consumes a durable pull consumer strictly in stream-sequence order.
 *
 * The relay publishes a gap-free prefix of the store's log, so stream sequence
 * order is position order and the stream has no holes (no deletes, no purges,
 * no limits). JetStream, however, may deliver out of order: a message delivered
 * to a process that died, or lost while nats-server restarted, comes back only
 * after the ack wait, behind later ones. Messages past such a gap are held (not
 * acked) until the gap is filled; a message at or below what was already handled
 * is a redelivery and is acked once the handling of its sequence has committed.
 *
 * The `bus` package's `consumeEvents` hands batches in delivery order and acks
 * them whole, which cannot hold part of a batch back; hence this loop.
 */
export const consumeInOrder = async (
  js: JetStreamClient,
  durableName: string,
  handler: OrderedBatchHandler,
  options: OrderedConsumeOptions,
): Promise<void> => {
  const { signal, logger, batchSize } = options;
  const stream = options.stream ?? EVENTS_STREAM;
  if (signal.aborted) return;
  const jsm = await js.jetstreamManager();
  await ensureDurableConsumer(jsm, durableName, {
    stream,
    maxAckPending: options.maxAckPending,
    ackWaitMs: options.ackWaitMs,
  });
  const info = await jsm.consumers.info(stream, durableName);
  // Everything up to the ack floor was handled and committed before it was acked.
  let next = info.ack_floor.stream_seq + 1;
  let committed = next - 1;

  const held = new Map<number, JsMsg>();
  let late: JsMsg[] = [];
  let wake: (() => void) | null = null;
  const poke = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  let readerDone = false;
  let messages: ConsumerMessages | null = null;
  const onAbort = (): void => {
    void messages?.close();
    poke();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  // The iterator ends or throws when the connection to nats-server is lost for
  // long, or the server restarts: take up consuming again rather than stop.
  const reader = (async () => {
    while (!signal.aborted) {
      try {
        const consumer = await js.consumers.get(stream, durableName);
        messages = await consumer.consume({
          max_messages: Math.min(batchSize, options.maxAckPending),
          expires: 5_000,
        });
        if (signal.aborted) break;
        for await (const m of messages) {
          if (m.seq < next) {
            if (m.seq <= committed) m.ack();
            else late.push(m);
            continue;
          }
          const before = held.get(m.seq);
          if (before === undefined || before.info.redeliveryCount <= m.info.redeliveryCount)
            held.set(m.seq, m);
          poke();
        }
        if (!signal.aborted)
          logger.warn('projector consumption ended: resuming', { durable: durableName });
      } catch (error) {
        if (signal.aborted) break;
        logger.warn('projector consumption failed: retrying', {
          durable: durableName,
          error: error instanceof Error ? error.message : String(error),
        });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    readerDone = true;
    poke();
  })();

  let gapSince: number | null = null;
  try {
    while (!signal.aborted) {
      const run: JsMsg[] = [];
      for (let m = held.get(next); m !== undefined && run.length < batchSize; m = held.get(next)) {
        held.delete(next);
        run.push(m);
        next += 1;
      }
      if (run.length === 0) {
        if (readerDone) break;
        if (held.size > 0) {
          gapSince ??= performance.now();
          if (performance.now() - gapSince > GAP_WARNING_MS) {
            logger.warn('projector waits for a message JetStream has not redelivered yet', {
              durable: durableName,
              waitingFor: next,
              held: held.size,
            });
            gapSince = performance.now();
          }
        } else gapSince = null;
        await new Promise<void>((resolve) => {
          wake = resolve;
          // Re-check now and then: a gap warning must fire even when nothing arrives.
          setTimeout(resolve, 1_000).unref();
        });
        continue;
      }
      gapSince = null;
      try {
        await handler(run.map((m) => decodeEventMessage(m)));
      } catch (error) {
        for (const m of run) m.nak();
        throw error;
      }
      committed = next - 1;
      for (const m of run) m.ack();
      const still: JsMsg[] = [];
      for (const m of late) {
        if (m.seq <= committed) m.ack();
        else still.push(m);
      }
      late = still;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    await (messages as ConsumerMessages | null)?.close().catch(() => undefined);
    await reader;
    // What was held is given back at once, so a successor need not sit out the ack wait.
    for (const m of held.values()) m.nak();
    for (const m of late) if (m.seq > committed) m.nak();
  }
};
