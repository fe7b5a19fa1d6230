import type { RecordedEvent } from '@nhagiao/domain';
import { type EventStore, hasBatchReads } from '@nhagiao/eventstore/core';

/**
 * The names of the streams a store without a local index holds, from one pass
 * over its log, so that a large import into a small store reads only the
 * streams that exist (every other one is empty: nothing to read). Undefined
 * when the log holds more than `maxEvents` events or `maxStreams` streams: then
 * reading each stream the import names costs less, and memory stays bounded.
 *
 * The names are as of the pass. A stream another writer creates after it is
 * taken as empty by the decisions, whose append then expects `no-stream` and is
 * refused: the caller decides again against the store.
 */
export const storeStreams = async (
  store: EventStore,
  limits: {
    readonly maxEvents: number;
    readonly maxStreams: number;
    readonly signal?: AbortSignal;
  },
): Promise<ReadonlySet<string> | undefined> => {
  const signal = limits.signal ? { signal: limits.signal } : {};
  const pages: AsyncIterable<readonly RecordedEvent[]> = hasBatchReads(store)
    ? store.readAllBatches({ metadata: false, ...signal })
    : onePerPage(store.readAll(signal));
  const names = new Set<string>();
  let events = 0;
  for await (const page of pages) {
    events += page.length;
    if (events > limits.maxEvents) return undefined;
    for (const e of page) names.add(e.stream);
    if (names.size > limits.maxStreams) return undefined;
  }
  return names;
};

async function* onePerPage(events: AsyncIterable<RecordedEvent>): AsyncGenerator<RecordedEvent[]> {
  for await (const e of events) yield [e];
}
