import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedEvent } from '@nhagiao/domain';
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  ReplayPolicy,
  nanos,
} from 'nats';
import { isConsumerNotFound } from './errors.js';
import type { Logger } from './logger.js';
import { decodeEventMessage } from './message.js';
import { EVENTS_STREAM } from './subjects.js';

export interface OrderedConsumeOptions {
  readonly stream?: string;
  /** The stream sequence to start from: the durable consumer is (re)created there. */
  readonly startSequence: number;
  /** Most events handed to one handler call. */
  readonly batchSize: number;
  /** Messages asked for in one pull; default `batchSize`. */
  readonly fetchSize?: number;
  /** Unacknowledged messages the server lets the consumer hold. */
  readonly maxAckPending: number;
  /** Redelivery after this long without an ack. */
  readonly ackWaitMs: number;
  /**
   * When nothing has arrived for this long while the stream holds messages
   * past the last one handled, the consumer is taken as stalled and the call
   * rejects with `ConsumerStalledError`; default 3 s.
   */
  readonly stallMs?: number;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Told of each message JetStream delivered again. */
  readonly onRedelivered?: () => void;
}

/**
 * Handles a run of consecutive stream messages; they are acked once it resolves.
 * `lastSequence` is the stream sequence of the run's last message.
 */
export type OrderedBatchHandler = (
  events: readonly RecordedEvent[],
  lastSequence: number,
) => Promise<void>;

const GAP_WARNING_MS = 5_000;

/** The durable consumer was deleted under us (a successor re-positioned it): position again. */
export class ConsumerGoneError extends Error {
  constructor(durableName: string) {
    super(`consumer ${durableName} no longer exists`);
    this.name = 'ConsumerGoneError';
  }
}

/**
 * The consumer delivers nothing although the stream holds the message wanted
 * next: position again (a new consumer at that sequence).
 */
export class ConsumerStalledError extends Error {
  constructor(
    readonly durableName: string,
    readonly waitingFor: number,
    readonly streamLastSequence: number,
    readonly idleMs: number,
  ) {
    super(
      `consumer ${durableName} delivered nothing for ${Math.round(idleMs)} ms while the stream holds sequences ${waitingFor}..${streamLastSequence}`,
    );
    this.name = 'ConsumerStalledError';
  }
}

/**
 * Creates the durable pull consumer `durableName` anew at `startSequence`
 * (deleting the one of that name first), so what it delivers starts exactly
 * where the caller's checkpoint says, whatever an earlier holder had
 * delivered and not acked. It has one replica, in memory: a consumer lost with
 * its node is created again by the caller like one that stalled.
 */
export const positionConsumer = async (
  jsm: JetStreamManager,
  stream: string,
  durableName: string,
  options: {
    readonly startSequence: number;
    readonly maxAckPending: number;
    readonly ackWaitMs: number;
  },
): Promise<void> => {
  try {
    await jsm.consumers.delete(stream, durableName);
  } catch (error) {
    if (!isConsumerNotFound(error)) throw error;
  }
  await jsm.consumers.add(stream, {
    durable_name: durableName,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, options.startSequence),
    replay_policy: ReplayPolicy.Instant,
    max_ack_pending: options.maxAckPending,
    ack_wait: nanos(options.ackWaitMs),
    // The caller's checkpoint, not the consumer, remembers the position (it is
    // created anew at each start), so the consumer need not survive a node: one
    // replica in memory, with no election of its own to wait for.
    num_replicas: 1,
    mem_storage: true,
  });
};

/**
 * Consumes a durable pull consumer strictly in stream-sequence order, from
 * `startSequence`.
 *
 * The relay publishes a gap-free prefix of the store's log, so stream sequence
 * order is position order and the stream has no holes (no deletes, no purges,
 * no limits). JetStream, however, may deliver out of order: a message lost
 * while nats-server restarted comes back only after the ack wait, behind later
 * ones. Messages past such a gap are held (not acked) until the gap is filled;
 * a message below what was already handled is a redelivery and is acked once
 * the handling of its sequence has committed.
 *
 * A consumer can also stop delivering altogether while the stream grows: a
 * pull request lost in a server restart that the client still counts as
 * pending, or a clustered consumer whose leader changed during an election
 * and does not serve pulls. No heartbeat tells this apart from a quiet stream,
 * so the stream's last sequence does: nothing arriving for `stallMs` while the
 * stream holds the message wanted next rejects with `ConsumerStalledError`.
 *
 * Resolves when `signal` aborts; rejects with the handler's error (what it was
 * given is nak'ed), `ConsumerGoneError` or `ConsumerStalledError`, and the
 * caller positions again.
 */
export const consumeInOrder = async (
  js: JetStreamClient,
  durableName: string,
  handler: OrderedBatchHandler,
  options: OrderedConsumeOptions,
): Promise<void> => {
  const { signal, logger, batchSize } = options;
  const stream = options.stream ?? EVENTS_STREAM;
  const stallMs = options.stallMs ?? 3_000;
  if (signal.aborted) return;
  const jsm = await js.jetstreamManager(false);
  await positionConsumer(jsm, stream, durableName, options);
  let next = Math.max(1, options.startSequence);
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
  let readerError: unknown = null;
  let messages: ConsumerMessages | null = null;
  /** When a message last arrived or a run was last handled. */
  let lastProgress = performance.now();
  // Stops the reader when the caller aborts, or when this call ends otherwise.
  const ended = new AbortController();
  const stop = AbortSignal.any([signal, ended.signal]);
  const onAbort = (): void => {
    void messages?.close();
    poke();
  };
  stop.addEventListener('abort', onAbort, { once: true });

  // The iterator ends or throws when the connection to nats-server is lost for
  // long, the server restarts or answers no pull (no responders): take up
  // consuming again rather than stop, saying so once until messages flow again.
  // A consumer that no longer exists ends the call.
  const reader = (async () => {
    let troubled = false;
    while (!stop.aborted) {
      try {
        const consumer = await js.consumers.get(stream, durableName);
        messages = await consumer.consume({
          max_messages: Math.min(options.fetchSize ?? batchSize, options.maxAckPending),
          expires: 5_000,
          // A consumer deleted under us (or lost with its stream) ends the
          // iteration instead of being polled for ever.
          abort_on_missing_resource: true,
        });
        if (stop.aborted) break;
        for await (const m of messages) {
          lastProgress = performance.now();
          if (troubled) {
            troubled = false;
            logger.info('consumer delivering again', { durable: durableName });
          }
          if (m.redelivered) options.onRedelivered?.();
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
        if (!stop.aborted && !troubled) {
          troubled = true;
          logger.warn('consumer iteration ended: resuming', { durable: durableName });
        }
      } catch (error) {
        if (stop.aborted) break;
        if (isConsumerNotFound(error)) {
          readerError = new ConsumerGoneError(durableName);
          break;
        }
        if (!troubled) {
          troubled = true;
          logger.warn('consumer failed: retrying until it works', {
            durable: durableName,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      await sleep(250, undefined, { signal: stop }).catch(() => undefined);
    }
    readerDone = true;
    poke();
  })();

  /** Rejects with `ConsumerStalledError` when the stream holds `next` and nothing came for `stallMs`. */
  let lastStallCheck = 0;
  const checkStalled = async (): Promise<void> => {
    const now = performance.now();
    const idle = now - lastProgress;
    if (idle < stallMs || now - lastStallCheck < stallMs / 2) return;
    lastStallCheck = now;
    let last: number;
    try {
      last = (await jsm.streams.info(stream)).state.last_seq;
    } catch {
      // The stream is electing a leader, or NATS is away: nothing to judge by yet.
      return;
    }
    if (last >= next && performance.now() - lastProgress >= stallMs)
      throw new ConsumerStalledError(durableName, next, last, performance.now() - lastProgress);
  };

  let gapSince: number | null = null;
  let warnedGap = false;
  try {
    while (!signal.aborted) {
      const run: JsMsg[] = [];
      for (let m = held.get(next); m !== undefined && run.length < batchSize; m = held.get(next)) {
        held.delete(next);
        run.push(m);
        next += 1;
      }
      if (run.length === 0) {
        if (readerDone) {
          if (readerError !== null) throw readerError;
          break;
        }
        if (held.size > 0) {
          gapSince ??= performance.now();
          if (!warnedGap && performance.now() - gapSince > GAP_WARNING_MS) {
            warnedGap = true;
            logger.warn('consumer waits for a message JetStream has not redelivered yet', {
              durable: durableName,
              waitingFor: next,
              held: held.size,
            });
          }
        } else gapSince = null;
        await checkStalled();
        await new Promise<void>((resolve) => {
          wake = resolve;
          // Re-check now and then: a gap or a stall must be seen even when nothing arrives.
          setTimeout(resolve, Math.min(1_000, stallMs / 2)).unref();
        });
        continue;
      }
      if (warnedGap)
        logger.info('consumer gap filled', { durable: durableName, at: next - run.length });
      gapSince = null;
      warnedGap = false;
      try {
        await handler(
          run.map((m) => decodeEventMessage(m)),
          run[run.length - 1]!.seq,
        );
      } catch (error) {
        for (const m of run) m.nak();
        throw error;
      }
      lastProgress = performance.now();
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
    ended.abort();
    stop.removeEventListener('abort', onAbort);
    await (messages as ConsumerMessages | null)?.close().catch(() => undefined);
    await reader;
    // What was held is given back at once, so a successor need not sit out the ack wait.
    for (const m of held.values()) m.nak();
    for (const m of late) if (m.seq > committed) m.nak();
  }
};
