import { randomUUID } from 'node:crypto';
import type { Envelope } from '@nhagiao/domain';
import { ConcurrencyError, StoreUnavailableError } from '../../src/errors.js';
import type { StreamWrite } from '../../src/port.js';
import { hasPipelinedAppends } from '../../src/port.js';
import { openEsdbEventStore } from '../../src/esdb/index.js';
import { esdbUnderTest } from './under-test.js';

/**
 * `appendPipelined`: decided writes sent without waiting for each answer, on
 * the double (or a real server with EVENTSTORE_URL): every write stored once,
 * in the order sent; the first refusal stops the sending and is thrown as the
 * project's own error.
 */

const completed = (teacherId: string, i: number, padding = 0): Envelope => ({
  id: randomUUID(),
  type: 'CourseCompleted',
  data: {
    teacherId,
    programmeId: `p-${i}`,
    completedOn: '2025-05-12',
    ...(padding > 0 ? { note: 'x'.repeat(padding) } : {}),
  },
});
const newTeacher = () => `pl-${randomUUID().slice(0, 12)}`;
const write = (
  stream: string,
  events: Envelope[],
  expected: bigint | 'no-stream',
): StreamWrite => ({
  stream,
  events,
  expected,
  idsChecked: true,
});

describe('appendPipelined on EventStoreDB', () => {
  const server = esdbUnderTest();

  it('stores every write once, in the order sent, telling how many from the first are answered', async () => {
    const store = openEsdbEventStore(server.url());
    try {
      expect(hasPipelinedAppends(store)).toBe(true);
      const teachers = Array.from({ length: 120 }, newTeacher);
      // Each teacher's stream in two writes, the second expecting what the first leaves.
      const writes: StreamWrite[] = [];
      for (const t of teachers) {
        writes.push(write(`teacher-${t}`, [completed(t, 0), completed(t, 1)], 'no-stream'));
        writes.push(write(`teacher-${t}`, [completed(t, 2)], 1n));
      }
      const before = await store.head();
      const seen: number[] = [];
      // From a source read as it is sent, as an import gives them.
      async function* source() {
        yield* writes;
      }
      const outcome = await store.appendPipelined(source(), {
        inFlight: 16,
        onAnswered: (n) => seen.push(n),
      });
      expect(outcome).toEqual({ answered: writes.length, events: 3 * teachers.length });
      // The count of writes answered from the first only grows, up to all of them.
      expect(seen.at(-1)).toBe(writes.length);
      expect([...seen].sort((a, b) => a - b)).toEqual(seen);

      const sent = writes.flatMap((w) => w.events.map((e) => e.id));
      const mine = new Set(sent);
      const logged: string[] = [];
      for await (const e of store.readAll(before === null ? {} : { after: before }))
        if (mine.has(e.id)) logged.push(e.id);
      expect(logged).toEqual(sent);
    } finally {
      await store.close();
    }
  });

  it('stops at a stream another writer moved: ConcurrencyError, nothing sent after it, what was stored told', async () => {
    const store = openEsdbEventStore(server.url());
    try {
      const [a, b, c] = [newTeacher(), newTeacher(), newTeacher()];
      // Another writer got to b first.
      await store.append(`teacher-${b}`, [completed(b, 9)], 'no-stream');
      const writes = [
        write(`teacher-${a}`, [completed(a, 0)], 'no-stream'),
        write(`teacher-${b}`, [completed(b, 0)], 'no-stream'),
        write(`teacher-${c}`, [completed(c, 0)], 'no-stream'),
      ];
      // One in flight: the refusal is answered before c is sent.
      const { answered, events, failure } = await store.appendPipelined(writes, { inFlight: 1 });
      expect(failure).toBeInstanceOf(ConcurrencyError);
      expect(failure?.message).toContain(`teacher-${b}`);
      expect([answered, events]).toEqual([1, 1]);
      const ids = async (stream: string) => {
        const out: string[] = [];
        for await (const e of store.readStream(stream)) out.push(e.id);
        return out;
      };
      expect(await ids(`teacher-${a}`)).toEqual([writes[0]?.events[0]?.id]);
      expect(await ids(`teacher-${b}`)).toHaveLength(1);
      expect(await ids(`teacher-${c}`)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('refuses a write whose ids the caller did not check, before sending anything', async () => {
    const store = openEsdbEventStore(server.url());
    try {
      const t = newTeacher();
      const unchecked: StreamWrite = {
        stream: `teacher-${t}`,
        events: [completed(t, 0)],
        expected: 'any',
      };
      await expect(
        store.appendPipelined([write(`teacher-${t}`, [completed(t, 1)], 'no-stream'), unchecked]),
      ).rejects.toThrow(/ids are checked/);
      const stored: unknown[] = [];
      for await (const e of store.readStream(`teacher-${t}`)) stored.push(e);
      expect(stored).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('throws the append limit as a clear, permanent error', async () => {
    const store = openEsdbEventStore(server.url(), { retry: { giveUpAfterMs: 500 } });
    try {
      const t = newTeacher();
      // Twelve events of ~100 KB: over the 1 MiB limit in one write.
      const big = Array.from({ length: 12 }, (_, i) => completed(t, i, 100_000));
      const { failure } = await store.appendPipelined([write(`teacher-${t}`, big, 'no-stream')]);
      expect(failure).toBeInstanceOf(StoreUnavailableError);
      expect(failure?.message).toMatch(/append limit/);
    } finally {
      await store.close();
    }
  });

  it('stops, with the error, when the caller cannot take an answer (its journal fails)', async () => {
    const store = openEsdbEventStore(server.url());
    try {
      const teachers = Array.from({ length: 30 }, newTeacher);
      const writes = teachers.map((t) => write(`teacher-${t}`, [completed(t, 0)], 'no-stream'));
      const full = new Error('no space left on the device');
      const outcome = await store.appendPipelined(writes, {
        inFlight: 1,
        onAnswered: (n) => {
          if (n === 3) throw full;
        },
      });
      expect(outcome.failure).toBe(full);
      // One write in flight at a time: the third's answer stops the sending before the fifth.
      expect(outcome.events).toBeLessThan(5);
      let stored = 0;
      for (const t of teachers) for await (const _ of store.readStream(`teacher-${t}`)) stored += 1;
      expect(stored).toBe(outcome.events);
    } finally {
      await store.close();
    }
  });

  it('refuses once the store is closed', async () => {
    const store = openEsdbEventStore(server.url());
    await store.close();
    const t = newTeacher();
    await expect(
      store.appendPipelined([write(`teacher-${t}`, [completed(t, 0)], 'no-stream')]),
    ).rejects.toThrow(/closed/);
  });
});
