import { randomUUID } from 'node:crypto';
import type { Envelope, RecordedEvent } from '@nhagiao/domain';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { ConcurrencyError, StoreUnavailableError } from '../../src/errors.js';
import type { EventStore } from '../../src/port.js';
import { openEsdbEventStore } from '../../src/esdb/index.js';
import { type EsdbDouble, type EsdbDoubleOptions, startEsdbDouble } from './index.js';
import { esdbUnderTest } from './under-test.js';

const realServer = process.env.EVENTSTORE_URL;
const quickRetry = { initialDelayMs: 20, maxDelayMs: 200 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const completed = (teacherId: string, i: number): Envelope => ({
  id: randomUUID(),
  type: 'CourseCompleted',
  data: { teacherId, programmeId: `p-${i}`, completedOn: '2025-05-12' },
});
const newTeacher = () => `fx-${randomUUID().slice(0, 12)}`;

/** Appends, retrying while the server is away: safe because a resent id is a duplicate. */
const appendRetrying = async (store: EventStore, stream: string, events: Envelope[]) => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.append(stream, events, 'any');
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || attempt > 50) throw error;
      await sleep(50);
    }
  }
};

/** Collects this stream's events from a subscription until `count` arrived, checking order on the way. */
const receive = async (
  store: EventStore,
  after: bigint,
  stream: string,
  count: number,
  onCaughtUp: () => void = () => undefined,
): Promise<RecordedEvent[]> => {
  const got: RecordedEvent[] = [];
  let last = after;
  for await (const m of store.subscribe({ after })) {
    if (m.kind === 'caught-up') {
      onCaughtUp();
      continue;
    }
    expect(m.event.position).toBeGreaterThan(last);
    last = m.event.position;
    if (m.event.stream === stream) got.push(m.event);
    if (got.length === count) break;
  }
  return got;
};

const marker = async (store: EventStore): Promise<bigint> => {
  const t = newTeacher();
  const r = await store.append(`teacher-${t}`, [completed(t, 0)], 'no-stream');
  return r.outcomes[0]?.position as bigint;
};

if (!realServer) {
  describe('EventStoreDB adapter under faults (protocol double)', () => {
    let double: EsdbDouble;
    let store: EventStore;
    const open = async (options: EsdbDoubleOptions = {}) => {
      double = await startEsdbDouble(options);
      store = openEsdbEventStore(double.url, {
        resubscribe: quickRetry,
        retry: { initialDelayMs: 20, giveUpAfterMs: 300 },
      });
    };
    afterEach(async () => {
      await store.close();
      await double.stop();
    });

    it.each(['error', 'end'] as const)(
      'resumes a subscription the server drops mid-stream (%s) with nothing lost, repeated or reordered',
      async (how) => {
        await open();
        const after = await marker(store);
        const t = newTeacher();
        const events = Array.from({ length: 120 }, (_, i) => completed(t, i));
        await store.append(`teacher-${t}`, events.slice(0, 40), 'no-stream');
        const writer = (async () => {
          for (let i = 40; i < 120; i += 10) {
            if (i === 60 || i === 90) expect(double.dropSubscriptions(how)).toBeGreaterThan(0);
            await store.append(`teacher-${t}`, events.slice(i, i + 10), 'exists');
            await sleep(10);
          }
        })();
        const got = await receive(store, after, `teacher-${t}`, 120);
        await writer;
        expect(got.map((e) => e.id)).toEqual(events.map((e) => e.id));
        expect(double.subscriptionStarts.length).toBeGreaterThanOrEqual(3);
      },
    );

    it('survives a server restart: the subscriber resumes, writers retry, the data is kept', async () => {
      await open();
      const after = await marker(store);
      const t = newTeacher();
      const events = Array.from({ length: 60 }, (_, i) => completed(t, i));
      const writer = (async () => {
        for (let i = 0; i < 60; i += 5) {
          if (i === 30) await double.restart();
          await appendRetrying(store, `teacher-${t}`, events.slice(i, i + 5));
        }
      })();
      const got = await receive(store, after, `teacher-${t}`, 60);
      await writer;
      expect(got.map((e) => e.id)).toEqual(events.map((e) => e.id));
      const stored: RecordedEvent[] = [];
      for await (const e of store.readStream(`teacher-${t}`)) stored.push(e);
      expect(stored.map((e) => e.revision)).toEqual(events.map((_, i) => BigInt(i)));
    });

    it('resumes a sparse filtered subscription from the server checkpoint (a page start, not an event it delivered)', async () => {
      await open();
      const after = await marker(store);
      const raw = EventStoreDBClient.connectionString(double.url);
      // 105 events of another application: the filter skips them; the catch-up
      // reads them in pages of 20, and its checkpoints fall on page starts.
      for (let i = 0; i < 105; i++)
        await raw.appendToStream('ledger-x', jsonEvent({ type: 'Other', data: { i } }));
      await raw.dispose();
      const t = newTeacher();
      const startsBefore = double.subscriptionStarts.length;
      const got = await receive(store, after, `teacher-${t}`, 1, () => {
        setTimeout(() => {
          double.dropSubscriptions();
          void store.append(`teacher-${t}`, [completed(t, 1)], 'no-stream');
        }, 200);
      });
      expect(got).toHaveLength(1);
      const resumedFrom = double.subscriptionStarts.slice(startsBefore)[1];
      const skipped = double.log.events.filter((e) => e.stream === 'ledger-x');
      // The start of the last page (the marker, then 20 a page: 19, 39, … 99),
      // a record the subscriber never saw; the server accepted it to resume from.
      expect(resumedFrom).toBe(skipped[99]?.position);
      expect(resumedFrom as bigint).toBeLessThan(skipped[104]?.position as bigint);
      expect(double.log.isRecordStart(resumedFrom as bigint)).toBe(true);
    });

    it("reads $all and pages of it filtered on the server: other applications' and system events are never sent", async () => {
      await open();
      const raw = EventStoreDBClient.connectionString(double.url);
      const t = newTeacher();
      const ours: string[] = [];
      for (let round = 0; round < 3; round++) {
        // 200 events of another application between each of ours.
        await raw.appendToStream(
          `ledger-${round}`,
          Array.from({ length: 200 }, (_, i) => jsonEvent({ type: 'Other', data: { i } })),
        );
        const r = await store.append(`teacher-${t}`, [completed(t, round)], 'any');
        ours.push(r.outcomes[0]?.id as string);
      }
      await raw.appendToStream('ledger-tail', jsonEvent({ type: 'Other', data: {} }));
      await raw.dispose();
      const others = double.log.events.filter((e) => !e.stream.startsWith('teacher-')).length;
      const before = { ...double.served };
      const read: string[] = [];
      for await (const e of store.readAll()) read.push(e.id);
      expect(read).toEqual(ours);
      // Our three events crossed the wire, and the last record (the head is found
      // by reading back from the end, unfiltered: one record, then two); the
      // server's filter skipped everything else.
      expect(double.served.allEventsSent - before.allEventsSent).toBe(3 + 1 + 2);
      expect(double.served.skippedByFilter - before.skippedByFilter).toBeGreaterThanOrEqual(
        others - 1,
      );
      const esdb = store as ReturnType<typeof openEsdbEventStore>;
      const pages: string[][] = [];
      for await (const page of esdb.readAllBatches({ pageSize: 2 }))
        pages.push(page.map((e) => e.id));
      expect(pages).toEqual([ours.slice(0, 2), ours.slice(2)]);
      const first = double.log.events.find((e) => e.id === ours[0])?.position as bigint;
      const upTo: string[] = [];
      for await (const page of esdb.readAllBatches({ after: first, until: first + 1n }))
        upTo.push(...page.map((e) => e.id));
      expect(upTo).toEqual([]);
      expect(await store.head()).toBe(double.log.events.find((e) => e.id === ours[2])?.position);
    });

    it('reads on from where a read of $all ended without reading back for the time before it, with the times one read would give', async () => {
      await open();
      const esdb = store as ReturnType<typeof openEsdbEventStore>;
      const t = newTeacher();
      await store.append(
        `teacher-${t}`,
        Array.from({ length: 60 }, (_, i) => completed(t, i)),
        'no-stream',
      );
      const sent = (): number => double.served.allEventsSent;
      let before = sent();
      const head = (await store.head()) as bigint;
      const forHead = sent() - before;
      const first: RecordedEvent[] = [];
      for await (const page of esdb.readAllBatches()) first.push(...page);
      // A caught-up reader: nothing after the head, and no look back for a time.
      before = sent();
      const none: RecordedEvent[] = [];
      for await (const page of esdb.readAllBatches({ after: head })) none.push(...page);
      expect(none).toEqual([]);
      expect(sent() - before).toBe(forHead);
      // Ten more events, read on from the end of the first read: only they cross the wire.
      await store.append(
        `teacher-${t}`,
        Array.from({ length: 10 }, (_, i) => completed(t, 60 + i)),
        59n,
      );
      before = sent();
      const rest: RecordedEvent[] = [];
      for await (const page of esdb.readAllBatches({ after: head })) rest.push(...page);
      expect(rest).toHaveLength(10);
      expect(sent() - before).toBe(forHead + 10);
      const whole: RecordedEvent[] = [];
      for await (const page of esdb.readAllBatches()) whole.push(...page);
      expect([...first, ...rest]).toEqual(whole);
      // Another store, with nothing read before: it reads back for the time, and agrees.
      const other = openEsdbEventStore(double.url);
      try {
        before = sent();
        const fresh: RecordedEvent[] = [];
        for await (const page of other.readAllBatches({ after: head })) fresh.push(...page);
        expect(fresh).toEqual(rest);
        expect(sent() - before).toBeGreaterThan(forHead + 10);
      } finally {
        await other.close();
      }
    });

    it('drops a slow subscriber once its buffer is full; the adapter resumes it with nothing lost, repeated or reordered', async () => {
      await open({ subscriberBuffer: 50 });
      const after = await marker(store);
      const t = newTeacher();
      const stream = `teacher-${t}`;
      const pad = 'y'.repeat(2048);
      const events: Envelope[] = Array.from({ length: 401 }, (_, i) => ({
        id: randomUUID(),
        type: 'CourseCompleted',
        data: { teacherId: t, programmeId: `p-${i}-${pad}`, completedOn: '2025-05-12' },
      }));
      const sub = store.subscribe({ after })[Symbol.asyncIterator]();
      const next = async (): Promise<RecordedEvent> => {
        for (;;) {
          const n = await sub.next();
          if (n.done) throw new Error('the subscription ended');
          if (n.value.kind === 'event' && n.value.event.stream === stream) return n.value.event;
        }
      };
      // Live first: one event through, then the subscriber stops reading.
      await store.append(stream, events.slice(0, 1), 'no-stream');
      const got = [(await next()).id];
      for (let i = 1; i < 401; i += 50) await store.append(stream, events.slice(i, i + 50), 'any');
      for (let i = 0; i < 100 && double.served.slowDropped === 0; i++) await sleep(20);
      expect(double.served.slowDropped).toBeGreaterThan(0);
      while (got.length < events.length) got.push((await next()).id);
      await sub.return?.();
      expect(got).toEqual(events.map((e) => e.id));
    });

    it('raises StoreUnavailableError while the server is down, and works again once it is back', async () => {
      await open();
      const t = newTeacher();
      await store.append(`teacher-${t}`, [completed(t, 0)], 'no-stream');
      await double.stop();
      await expect(store.append(`teacher-${t}`, [completed(t, 1)], 'any')).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      await expect(store.head()).rejects.toBeInstanceOf(StoreUnavailableError);
      const giveUp = openEsdbEventStore(double.url, {
        resubscribe: { ...quickRetry, maxAttempts: 3 },
      });
      await expect(
        (async () => {
          for await (const _ of giveUp.subscribe()) {
            // nothing can arrive while the server is down
          }
        })(),
      ).rejects.toBeInstanceOf(StoreUnavailableError);
      await giveUp.close();
      await double.start();
      const r = await appendRetrying(store, `teacher-${t}`, [completed(t, 2)]);
      expect(r.nextExpected).toBe(1n);
    });

    it('keeps positions beyond 2^53 exact on every read path', async () => {
      await open({ startPosition: 2n ** 60n + 3n });
      const t = newTeacher();
      const r = await store.append(`teacher-${t}`, [completed(t, 0), completed(t, 1)], 'no-stream');
      const positions = r.outcomes.map((o) => o.position);
      expect(positions.every((p) => p > BigInt(Number.MAX_SAFE_INTEGER))).toBe(true);
      const read: bigint[] = [];
      for await (const e of store.readAll()) read.push(e.position);
      expect(read).toEqual(positions);
      expect(await store.head()).toBe(positions[1]);
      const sub: bigint[] = [];
      for await (const m of store.subscribe({ after: positions[0] as bigint })) {
        if (m.kind === 'event') sub.push(m.event.position);
        if (m.kind === 'caught-up') break;
      }
      expect(sub).toEqual([positions[1]]);
    });
  });
}

describe(`concurrent writers on one stream (${realServer ?? 'protocol double'})`, () => {
  const server = esdbUnderTest();

  it('loses, repeats and reorders nothing; the loser of each race gets ConcurrencyError', async () => {
    const writers = [openEsdbEventStore(server.url()), openEsdbEventStore(server.url())];
    const reader = openEsdbEventStore(server.url());
    try {
      const t = newTeacher();
      const stream = `teacher-${t}`;
      const first = await reader.append(stream, [completed(t, -1)], 'no-stream');
      let conflicts = 0;
      const written: string[][] = [[], []];
      const run = async (w: number) => {
        // Both start from the same revision, so the first round is a real race.
        let expected = first.nextExpected;
        for (let i = 0; i < 20; i++) {
          const event = completed(t, w * 100 + i);
          for (;;) {
            try {
              const r = await (writers[w] as EventStore).append(stream, [event], expected);
              expected = r.nextExpected;
              (written[w] as string[]).push(event.id);
              break;
            } catch (error) {
              if (!(error instanceof ConcurrencyError)) throw error;
              conflicts += 1;
              expected = error.actual as bigint;
            }
          }
        }
      };
      const got = receive(reader, first.outcomes[0]?.position as bigint, stream, 40);
      await Promise.all([run(0), run(1)]);
      const events = await got;
      expect(conflicts).toBeGreaterThan(0);
      expect(new Set(events.map((e) => e.id)).size).toBe(40);
      expect(events.map((e) => e.revision)).toEqual(
        Array.from({ length: 40 }, (_, i) => BigInt(i + 1)),
      );
      // Each writer's own events keep the order it wrote them in.
      for (const ids of written)
        expect(events.map((e) => e.id).filter((id) => ids.includes(id))).toEqual(ids);
    } finally {
      await Promise.all([...writers, reader].map((s) => s.close()));
    }
  });
});
