import type { RecordedEvent } from '@nhagiao/domain';
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  NatsError,
  ReplayPolicy,
  nanos,
} from 'nats';
import { decodeEventMessage } from './message.js';
import { EVENTS_STREAM } from './subjects.js';

export interface DurableConsumerOptions {
  /** Events stream name; default `NHAGIAO_EVENTS`. */
  readonly stream?: string;
  /** Only these subjects, e.g. `nhagiao.events.teacher.>`; default all. */
  readonly filterSubject?: string;
  /** Unacknowledged messages the server lets this consumer hold; default 2,000. */
  readonly maxAckPending?: number;
  /** Redelivery after this long without an ack; default 30 s. */
  readonly ackWaitMs?: number;
}

/**
 * Creates the durable pull consumer with explicit acks when missing (from the
 * first message, in order). An existing consumer is left as it is, so its
 * position survives.
 */
export const ensureDurableConsumer = async (
  jsm: JetStreamManager,
  durableName: string,
  options: DurableConsumerOptions = {},
): Promise<void> => {
  const stream = options.stream ?? EVENTS_STREAM;
  try {
    await jsm.consumers.info(stream, durableName);
    return;
  } catch (error) {
    if (!(error instanceof NatsError && error.api_error?.err_code === 10014)) throw error;
  }
  await jsm.consumers.add(stream, {
    durable_name: durableName,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    max_ack_pending: options.maxAckPending ?? 2_000,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    ...(options.filterSubject === undefined ? {} : { filter_subject: options.filterSubject }),
  });
};

export interface ConsumeEventsOptions extends DurableConsumerOptions {
  /** Most events handed to one handler call; default 500. */
  readonly batchSize?: number;
  /**
   * How long one pull request stays open on the server (≥ 1,000 ms); default
   * 1,000. Stopping waits for the open one to end, so no message is left
   * delivered to a closed inbox (it would sit out the ack wait).
   */
  readonly pullExpiresMs?: number;
  /** Validate every event against contract v1 (see `decodeEventMessage`); default false. */
  readonly validate?: boolean;
  /** Stops once what was already received is handled and acked. */
  readonly signal?: AbortSignal;
}

/** Handles a batch in order; the batch is acked only after the returned promise resolves. */
export type EventBatchHandler = (events: readonly RecordedEvent[]) => Promise<void>;

/**
 * Consumes the durable `durableName` (created when missing): hands the handler
 * whatever has arrived, up to `batchSize` at a time, so a busy stream gives big
 * batches and a quiet one gives single events without delay. Each batch is
 * acked after the handler returns. Resolves when `signal` aborts; rejects when
 * the handler throws or a message cannot be decoded (everything received and
 * not acked is nak'ed for prompt redelivery, never dropped).
 */
export const consumeEvents = async (
  js: JetStreamClient,
  durableName: string,
  handler: EventBatchHandler,
  options: ConsumeEventsOptions = {},
): Promise<void> => {
  const stream = options.stream ?? EVENTS_STREAM;
  const batchSize = options.batchSize ?? 500;
  const expires = options.pullExpiresMs ?? 1_000;
  const signal = options.signal;
  const validate = options.validate ?? false;
  if (signal?.aborted) return;
  await ensureDurableConsumer(await js.jetstreamManager(), durableName, options);
  const consumer = await js.consumers.get(stream, durableName);

  const queue: JsMsg[] = [];
  let failed = false;
  let pumpDone = false;
  let pumpError: unknown = null;
  let wakeMain: (() => void) | null = null;
  let wakePump: (() => void) | null = null;
  const pokeMain = (): void => {
    const w = wakeMain;
    wakeMain = null;
    w?.();
  };
  const pokePump = (): void => {
    const w = wakePump;
    wakePump = null;
    w?.();
  };
  const stopped = (): boolean => failed || signal?.aborted === true;
  signal?.addEventListener('abort', pokePump, { once: true });

  // Pull requests that end by themselves (batch filled or `expires`), one at a
  // time, issued only while the handler keeps up.
  const pump = async (): Promise<void> => {
    try {
      while (!stopped()) {
        if (queue.length >= batchSize) {
          await new Promise<void>((resolve) => {
            wakePump = resolve;
          });
          continue;
        }
        const messages = await consumer.fetch({ max_messages: batchSize, expires });
        for await (const m of messages) {
          if (failed) m.nak();
          else {
            queue.push(m);
            pokeMain();
          }
        }
      }
    } catch (error) {
      pumpError = error;
    } finally {
      pumpDone = true;
      pokeMain();
    }
  };
  const pumping = pump();

  const giveBack = (msgs: readonly JsMsg[]): void => {
    for (const m of msgs) m.nak();
  };
  try {
    for (;;) {
      if (queue.length === 0) {
        if (pumpDone) break;
        await new Promise<void>((resolve) => {
          wakeMain = resolve;
        });
        continue;
      }
      const batch = queue.splice(0, batchSize);
      pokePump();
      try {
        await handler(batch.map((m) => decodeEventMessage(m, { validate })));
      } catch (error) {
        failed = true;
        giveBack(batch);
        throw error;
      }
      for (const m of batch) m.ack();
    }
    if (pumpError !== null && !stopped()) throw pumpError;
  } finally {
    failed = failed || pumpError !== null;
    signal?.removeEventListener('abort', pokePump);
    pokePump();
    giveBack(queue.splice(0));
    await pumping;
    giveBack(queue.splice(0));
  }
};
