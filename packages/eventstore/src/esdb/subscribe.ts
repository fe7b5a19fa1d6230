import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedEvent } from '@nhagiao/domain';
import {
  AccessDeniedError,
  type EventStoreDBClient,
  type JSONRecordedEvent,
  START,
  streamNameFilter,
} from '@eventstore/db-client';
import type { ReadOptions, SubscriptionMessage } from '../port.js';
import { toStoreError } from './errors.js';
import {
  NHAGIAO_STREAM_PREFIXES,
  allPosition,
  isNhagiaoStream,
  toRecordedEvent,
} from './mapping.js';
import { lastNhagiaoPosition } from './read.js';
import { RecordedAtClamp } from './recorded-at.js';

export interface EsdbLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface ResubscribePolicy {
  /** First wait before resubscribing after a drop; doubles on each failure in a row. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Failures in a row before the subscription gives up with StoreUnavailableError. */
  readonly maxAttempts: number;
  /**
   * Time from the first failure of a run of failures after which the
   * subscription gives up with StoreUnavailableError, however many attempts that was.
   */
  readonly giveUpAfterMs: number;
}

const ABORTED = Symbol('aborted');
const untilAborted = (signal: AbortSignal): Promise<typeof ABORTED> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve(ABORTED);
    else signal.addEventListener('abort', () => resolve(ABORTED), { once: true });
  });

/**
 * Catch-up then live over `$all`, filtered on nhagiao's stream prefixes. The
 * client's subscription does not come back by itself after an error or an end,
 * so this one resubscribes from the last event it delivered (exclusive on the
 * server), with backoff; events at or before that position are never passed on
 * twice. Checkpoints of the filter advance the resume point only once every
 * event before them has been delivered, so a sparse filter does not rescan.
 *
 * `caught-up` is decided here, not by the server's `caught_up` (sent only since
 * 23.10, and emitted by the client ahead of events it still buffers): it comes
 * right after the last nhagiao event that was in the log when the subscription
 * started.
 */
export async function* subscribeAll(
  client: EventStoreDBClient,
  options: ReadOptions,
  closing: AbortSignal,
  policy: ResubscribePolicy,
  logger: EsdbLogger,
  /** The latest server time of the nhagiao events up to a position, to clamp `recordedAt` from. */
  latestTimeUpTo: (position: bigint) => Promise<number>,
): AsyncGenerator<SubscriptionMessage> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  closing.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted || closing.aborted) stop.abort();

  const aborted = untilAborted(stop.signal);
  let delivered: bigint | null = options.after ?? null;
  let resumeAfter: bigint | undefined = options.after;
  let target: bigint | null | undefined;
  let caughtUp = false;
  let failures = 0;
  let failingSince = 0;
  let clamp: RecordedAtClamp | undefined;
  try {
    while (!stop.signal.aborted) {
      let subscription: ReturnType<EventStoreDBClient['subscribeToAll']> | undefined;
      let releaseCheckpoint: (() => void) | undefined;
      try {
        if (target === undefined) target = await lastNhagiaoPosition(client);
        clamp ??= new RecordedAtClamp(
          options.after === undefined ? undefined : await latestTimeUpTo(options.after),
        );
        if (!caughtUp && (target === null || (delivered !== null && delivered >= target))) {
          caughtUp = true;
          yield { kind: 'caught-up', position: delivered };
        }
        // Set when a checkpoint arrives; resolved once the caller has taken every earlier event.
        let drained: (() => void) | undefined;
        // Lets the client's stream go when this subscription is abandoned mid-checkpoint.
        let release: (() => void) | undefined;
        let idle = false;
        const sub = client.subscribeToAll({
          fromPosition: resumeAfter === undefined ? START : allPosition(resumeAfter),
          requiresLeader: true,
          filter: streamNameFilter({
            prefixes: [...NHAGIAO_STREAM_PREFIXES],
            checkpointReached: (_s, position) =>
              new Promise<void>((resolve) => {
                release = resolve;
                drained = () => {
                  drained = undefined;
                  release = undefined;
                  if (resumeAfter === undefined || position.commit > resumeAfter) {
                    resumeAfter = position.commit;
                  }
                  resolve();
                };
                if (idle && sub.readableLength === 0) drained();
              }),
          }),
        });
        subscription = sub;
        // The server confirmed the subscription: a later drop starts a new run of failures.
        sub.once('confirmation', () => {
          if (failures > 0) {
            logger.warn('EventStoreDB subscription reopened', {
              after: resumeAfter?.toString(),
              attempt: failures,
            });
          }
          failures = 0;
        });
        releaseCheckpoint = () => release?.();
        const events = sub[Symbol.asyncIterator]();
        for (;;) {
          idle = true;
          if (drained && sub.readableLength === 0) drained();
          const next = await Promise.race([events.next(), aborted]);
          idle = false;
          if (next === ABORTED) return;
          if (next.done) {
            logger.warn('EventStoreDB ended the subscription; resubscribing', {
              after: resumeAfter?.toString(),
            });
            break;
          }
          const raw = next.value.event as JSONRecordedEvent | undefined;
          const position = raw?.position?.commit;
          if (!raw || position === undefined) continue;
          if (delivered !== null && position <= delivered) continue;
          if (!isNhagiaoStream(raw.streamId)) continue;
          const event: RecordedEvent = (clamp as RecordedAtClamp).apply(toRecordedEvent(raw));
          delivered = position;
          resumeAfter = position;
          failures = 0;
          yield { kind: 'event', event };
          if (!caughtUp && target !== null && position >= target) {
            caughtUp = true;
            yield { kind: 'caught-up', position: delivered };
          }
        }
      } catch (error) {
        if (stop.signal.aborted) return;
        if (failures === 0) failingSince = Date.now();
        failures += 1;
        if (
          error instanceof AccessDeniedError ||
          failures >= policy.maxAttempts ||
          Date.now() - failingSince >= policy.giveUpAfterMs
        ) {
          logger.warn('EventStoreDB subscription failed; giving up', {
            after: resumeAfter?.toString(),
            attempt: failures,
            error: error instanceof Error ? error.message : String(error),
          });
          throw toStoreError(error, 'subscription to $all');
        }
        logger.warn('EventStoreDB subscription failed; resubscribing', {
          after: resumeAfter?.toString(),
          attempt: failures,
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        releaseCheckpoint?.();
        await subscription?.unsubscribe().catch(() => undefined);
      }
      const delay = Math.min(
        policy.maxDelayMs,
        policy.initialDelayMs * 2 ** Math.max(0, failures - 1),
      );
      await sleep(delay, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    closing.removeEventListener('abort', onAbort);
  }
}
