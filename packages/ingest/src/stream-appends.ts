import type { Envelope } from '@nhagiao/domain';
import type { AppendResult, EventStore, StreamWrite } from '@nhagiao/eventstore/core';

/**
 * EventStoreDB refuses an append whose events' data and metadata exceed 1 MiB
 * (`MaxAppendSize`); a write is cut below it, with room for what the byte count
 * here leaves out (multi-byte escapes are counted as characters).
 */
export const APPEND_LIMIT = 1024 * 1024;
export const APPEND_BUDGET = APPEND_LIMIT - 64 * 1024;

const sizeOf = (e: Envelope): number =>
  Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(e.metadata ?? {}));

/**
 * One stream's write cut into writes under the append limit, each expecting
 * the revision the one before leaves: as few calls as the limit allows.
 */
export const underLimit = (write: StreamWrite, budget = APPEND_BUDGET): StreamWrite[] => {
  const parts: StreamWrite[] = [];
  let events: Envelope[] = [];
  let bytes = 0;
  let expected = write.expected;
  for (const e of write.events) {
    const size = sizeOf(e);
    if (events.length > 0 && bytes + size > budget) {
      parts.push({ ...write, events, expected });
      expected = nextExpected(expected, events.length);
      events = [];
      bytes = 0;
    }
    events.push(e);
    bytes += size;
  }
  if (events.length > 0 || parts.length === 0) parts.push({ ...write, events, expected });
  return parts;
};

const nextExpected = (
  expected: StreamWrite['expected'],
  appended: number,
): StreamWrite['expected'] =>
  expected === 'no-stream'
    ? BigInt(appended - 1)
    : typeof expected === 'bigint'
      ? expected + BigInt(appended)
      : expected;

/**
 * Appends writes in their order. A store with transactions takes them in one
 * call (one commit). Elsewhere each write is cut under the append limit, each
 * part expecting the revision the one before left, and the parts go in one
 * call that appends them one after another: the log keeps the order the
 * events were decided in across streams, so "known at" an event means the
 * same on every store (appending streams concurrently would interleave them
 * by chance).
 */
export const appendInOrder = async (
  store: EventStore,
  writes: readonly StreamWrite[],
): Promise<AppendResult[]> => {
  if (store.transaction !== undefined || writes.length === 0) return store.appendBatch(writes);
  const cut = writes.map((write) => underLimit(write));
  const answers = await store.appendBatch(cut.flat());
  let next = 0;
  return writes.map((write, w) => {
    const outcomes: AppendResult['outcomes'][number][] = [];
    let last: AppendResult | undefined;
    for (let i = 0; i < (cut[w] as StreamWrite[]).length; i++) {
      const result = answers[next++];
      if (result === undefined) throw new Error(`no answer for the append to ${write.stream}`);
      outcomes.push(...result.outcomes);
      last = result;
    }
    return { stream: write.stream, outcomes, nextExpected: last?.nextExpected ?? -1n };
  });
};
