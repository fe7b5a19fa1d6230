import {
  ConcurrencyError,
  type EventStore,
  type PipelinedAppends,
  StoreUnavailableError,
  type StreamWrite,
  hasPipelinedAppends,
} from '@nhagiao/eventstore/core';
import { DecidedWrites } from './decided-writes.js';
import { APPEND_BUDGET, APPEND_LIMIT, appendInOrder, underLimit } from './stream-appends.js';
import type { AppendDecidedOptions, DecidedAppended } from './types.js';

/**
 * Appends the writes of a decided file (see `Ingestor#appendDecided`): window
 * by window in the order decided, pipelined where the store takes writes
 * without waiting for each answer.
 */
export const appendDecidedWrites = async (
  store: EventStore,
  file: string,
  options: AppendDecidedOptions,
): Promise<DecidedAppended> => {
  if (hasPipelinedAppends(store)) return appendPipelined(store, file, options);
  let appended = 0;
  for await (const window of DecidedWrites.windows(file)) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
    try {
      await appendInOrder(store, window.writes);
    } catch (error) {
      // Which of the window's writes went in is not known here: counted by the next pass.
      return stoppedBy(error, appended);
    }
    for (const write of window.writes) appended += write.events.length;
    options.onStored?.(window.lastLine);
    options.onProgress?.({ phase: 'append', done: appended });
  }
  return { appended };
};

/**
 * The decided windows as one stream of writes to a store that takes them
 * without waiting for each answer: a window is marked stored (`onStored`)
 * once every write up to its last is answered, while the next ones go.
 */
const appendPipelined = async (
  store: EventStore & PipelinedAppends,
  file: string,
  options: AppendDecidedOptions,
): Promise<DecidedAppended> => {
  /** Each window read so far: the count of writes up to its end, its last line, its events. */
  const ends: { writes: number; lastLine: number; events: number }[] = [];
  let marked = 0;
  let done = 0;
  async function* writes(): AsyncGenerator<StreamWrite> {
    let count = 0;
    for await (const window of DecidedWrites.windows(file)) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      // A write surely under the limit as a whole is not measured event by event.
      const cut = window.writes.flatMap((write, i) =>
        (window.bytes?.[i] ?? APPEND_LIMIT) < APPEND_BUDGET ? [write] : underLimit(write),
      );
      count += cut.length;
      let events = 0;
      for (const write of cut) events += write.events.length;
      ends.push({ writes: count, lastLine: window.lastLine, events });
      yield* cut;
    }
  }
  const outcome = await store.appendPipelined(writes(), {
    ...(options.inFlight === undefined ? {} : { inFlight: options.inFlight }),
    onAnswered: (answered) => {
      while (marked < ends.length && (ends[marked] as (typeof ends)[number]).writes <= answered) {
        const end = ends[marked++] as (typeof ends)[number];
        done += end.events;
        options.onStored?.(end.lastLine);
        options.onProgress?.({ phase: 'append', done });
      }
    },
  });
  return outcome.failure === undefined
    ? { appended: outcome.events }
    : stoppedBy(outcome.failure, outcome.events);
};

/**
 * A stream another writer moved, or the store failing mid-way, stops the
 * append (the caller decides the rest again); anything else is thrown.
 */
const stoppedBy = (error: unknown, appended: number): DecidedAppended => {
  if (error instanceof ConcurrencyError || error instanceof StoreUnavailableError)
    return { appended, stopped: error };
  throw error;
};
