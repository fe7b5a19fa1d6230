import type { RecordedEvent } from '@nhagiao/domain';
import { type JetStreamManager, type NatsConnection, connect } from 'nats';
import { consumeEvents } from './consume.js';
import { publishEvent } from './message.js';
import { ensureEventsStream } from './stream.js';
import { EVENTS_STREAM } from './subjects.js';
import {
  type TestNatsServer,
  sampleRecordedEvents,
  startNatsServer,
} from './test-support/index.js';

let server: TestNatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
const events = sampleRecordedEvents(300);

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  jsm = await nc.jetstreamManager();
  await ensureEventsStream(jsm);
  const js = nc.jetstream();
  await Promise.all(events.map((e) => publishEvent(js, e)));
});
afterAll(async () => {
  await nc.close();
  await server.stop();
});

const until = async (cond: () => boolean, ms = 5_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('consumeEvents', () => {
  it('hands over every event in order, in batches, and resumes after the last acked batch', async () => {
    const seen: RecordedEvent[] = [];
    const sizes: number[] = [];
    const stop = new AbortController();
    const run = consumeEvents(
      nc.jetstream(),
      'reader',
      async (batch) => {
        sizes.push(batch.length);
        seen.push(...batch);
        if (seen.length >= 120) stop.abort();
      },
      { batchSize: 40, signal: stop.signal },
    );
    await run;
    expect(Math.max(...sizes)).toBeLessThanOrEqual(40);
    expect(seen.map((e) => e.position)).toEqual(
      events.slice(0, seen.length).map((e) => e.position),
    );
    expect(seen[0]).toEqual(events[0]);

    // The durable remembers: a new run starts right after what was acked.
    const rest: RecordedEvent[] = [];
    const stop2 = new AbortController();
    const run2 = consumeEvents(
      nc.jetstream(),
      'reader',
      async (batch) => {
        rest.push(...batch);
        if (seen.length + rest.length >= events.length) stop2.abort();
      },
      { batchSize: 40, signal: stop2.signal },
    );
    await run2;
    expect([...seen, ...rest].map((e) => e.id)).toEqual(events.map((e) => e.id));
    const info = await jsm.consumers.info(EVENTS_STREAM, 'reader');
    expect(info.num_ack_pending).toBe(0);
  });

  it('redelivers a batch whose handler failed, and the error reaches the caller', async () => {
    let calls = 0;
    const failing = consumeEvents(
      nc.jetstream(),
      'flaky',
      async () => {
        calls += 1;
        throw new Error('read model unavailable');
      },
      { batchSize: 10 },
    );
    await expect(failing).rejects.toThrow('read model unavailable');
    expect(calls).toBe(1);

    const firstIds: string[] = [];
    const stop = new AbortController();
    await consumeEvents(
      nc.jetstream(),
      'flaky',
      async (batch) => {
        firstIds.push(...batch.map((e) => e.id));
        stop.abort();
      },
      { batchSize: 10, signal: stop.signal },
    );
    // The nak'ed events come back at once (not after the 30 s ack wait), first one first.
    expect(firstIds[0]).toBe(events[0]!.id);
  });

  it('delivers a live event promptly to a waiting consumer', async () => {
    const stop = new AbortController();
    let latest: bigint | null = null;
    const run = consumeEvents(
      nc.jetstream(),
      'live',
      async (batch) => {
        latest = batch.at(-1)?.position ?? latest;
      },
      { signal: stop.signal },
    );
    await until(() => latest === 300n);
    const [live] = sampleRecordedEvents(1, 301n);
    const sentAt = performance.now();
    await publishEvent(nc.jetstream(), live!);
    await until(() => latest === 301n);
    expect(performance.now() - sentAt).toBeLessThan(250);
    stop.abort();
    await run;
  });
});
