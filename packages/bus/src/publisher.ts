import type { RecordedEvent } from '@nhagiao/domain';
import type { JetStreamClient, PubAck } from 'nats';
import { BusError } from './errors.js';
import { publishEvent } from './message.js';

export interface PipelinedPublisherOptions {
  /** Publish acks allowed in flight at once; default 1,000. */
  readonly maxOutstanding?: number;
  /**
   * JetStream sequence of the stream's last message when publishing starts. When
   * given, every publish carries `Nats-Expected-Last-Sequence`, so the server
   * stores events strictly one after another: if one publish is lost, every later
   * one is rejected instead of being stored out of order, and a second publisher
   * writing to the stream breaks the chain instead of interleaving.
   */
  readonly chainFromSequence?: number;
  readonly timeoutMs?: number;
  /** Called (synchronously, in order) each time the high-water mark advances. */
  readonly onHighWater?: (position: bigint) => void;
  /** Called once with the first failure, so a caller blocked elsewhere can stop at once. */
  readonly onFailure?: (error: Error) => void;
}

export interface PipelinedPublisher {
  /**
   * Sends `event`; resolves once it is in flight, waiting first while
   * `maxOutstanding` acks are outstanding. Throws the first publish failure.
   */
  publish(event: RecordedEvent): Promise<void>;
  /** Waits for every ack so far; resolves with the high-water mark, or throws the first failure. */
  flush(): Promise<bigint | null>;
  /**
   * The highest position whose ack and all earlier acks have arrived: a
   * checkpoint at it never skips an event.
   */
  readonly highWater: bigint | null;
  readonly outstanding: number;
  /** The first failure, if any; once failed the publisher accepts nothing more. */
  readonly failure: Error | null;
}

interface Slot {
  readonly position: bigint;
  acked: boolean;
}

export const createPipelinedPublisher = (
  js: JetStreamClient,
  options: PipelinedPublisherOptions = {},
): PipelinedPublisher => {
  const max = options.maxOutstanding ?? 1_000;
  if (!Number.isInteger(max) || max < 1) throw new RangeError('maxOutstanding must be ≥ 1');
  const slots: Slot[] = [];
  let head = 0;
  let highWater: bigint | null = null;
  let failure: Error | null = null;
  let nextExpected = options.chainFromSequence;
  let lastPosition: bigint | null = null;
  let waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let drained: { resolve: (p: bigint | null) => void; reject: (e: Error) => void }[] = [];

  const outstanding = (): number => slots.length - head;

  const wake = (): void => {
    if (failure !== null) {
      const all = waiters;
      waiters = [];
      for (const w of all) w.reject(failure);
      const ds = drained;
      drained = [];
      for (const d of ds) d.reject(failure);
      return;
    }
    while (waiters.length > 0 && outstanding() < max) waiters.shift()?.resolve();
    if (outstanding() === 0) {
      const ds = drained;
      drained = [];
      for (const d of ds) d.resolve(highWater);
    }
  };

  const fail = (error: Error): void => {
    if (failure !== null) return;
    failure = error;
    options.onFailure?.(error);
    wake();
  };

  const settle = (): void => {
    let advanced = false;
    while (head < slots.length && slots[head]?.acked === true) {
      highWater = (slots[head] as Slot).position;
      head += 1;
      advanced = true;
    }
    // Compact now and then so the array does not grow with the whole log.
    if (head > 4_096 && head * 2 > slots.length) {
      slots.splice(0, head);
      head = 0;
    }
    if (advanced && highWater !== null && failure === null) options.onHighWater?.(highWater);
    wake();
  };

  // Sends wait for the next macrotask so that a burst of publishes goes out in
  // one socket write: the client flushes its buffer in a microtask, which would
  // otherwise fall between every two awaited publishes.
  let queued: { event: RecordedEvent; slot: Slot }[] = [];
  let scheduled = false;
  const sendQueued = (): void => {
    scheduled = false;
    const batch = queued;
    queued = [];
    for (const q of batch) {
      if (failure !== null) return;
      send(q.event, q.slot);
    }
  };
  const enqueue = (event: RecordedEvent): void => {
    const slot: Slot = { position: event.position, acked: false };
    slots.push(slot);
    queued.push({ event, slot });
    if (!scheduled) {
      scheduled = true;
      setImmediate(sendQueued);
    }
  };

  const send = (event: RecordedEvent, slot: Slot): void => {
    const expected = nextExpected;
    if (nextExpected !== undefined) nextExpected += 1;
    publishEvent(js, event, {
      ...(expected === undefined ? {} : { expectLastSequence: expected }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    }).then(
      (ack: PubAck) => {
        if (expected !== undefined && (ack.duplicate || ack.seq !== expected + 1)) {
          fail(
            new BusError(
              'publish-failed',
              `event ${event.id} at position ${event.position} was stored as sequence ${ack.seq}${ack.duplicate ? ' (duplicate)' : ''}, expected ${expected + 1}: another publisher is writing to the stream`,
            ),
          );
          return;
        }
        slot.acked = true;
        settle();
      },
      (cause: unknown) =>
        fail(
          new BusError(
            'publish-failed',
            `publishing event ${event.id} at position ${event.position} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
            { cause },
          ),
        ),
    );
  };

  return {
    async publish(event) {
      if (failure !== null) throw failure;
      if (lastPosition !== null && event.position <= lastPosition)
        throw new RangeError(`positions must increase: ${event.position} after ${lastPosition}`);
      while (outstanding() >= max) {
        await new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      }
      if (failure !== null) throw failure;
      lastPosition = event.position;
      enqueue(event);
    },
    flush() {
      if (failure !== null) return Promise.reject(failure);
      if (outstanding() === 0) return Promise.resolve(highWater);
      return new Promise((resolve, reject) => drained.push({ resolve, reject }));
    },
    get highWater() {
      return highWater;
    },
    get outstanding() {
      return outstanding();
    },
    get failure() {
      return failure;
    },
  };
};
