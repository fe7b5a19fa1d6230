import type { RecordedEvent } from '@nhagiao/domain';
import { type JetStreamManager, type NatsConnection, connect } from 'nats';
import { connectNats } from './connection.js';
import { silentLogger } from './logger.js';
import { publishEvent } from './message.js';
import { ConsumerGoneError, ConsumerStalledError, consumeInOrder } from './ordered-consumer.js';
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
  for (const e of events) await publishEvent(js, e);
});
afterAll(async () => {
  await nc.close();
  await server.stop();
});

const until = async (what: string, cond: () => boolean, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not in time`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const options = (signal: AbortSignal, startSequence = 1) => ({
  startSequence,
  batchSize: 40,
  maxAckPending: 1_000,
  ackWaitMs: 30_000,
  signal,
  logger: silentLogger,
});

describe('consumeInOrder', () => {
  it('hands over every event in stream order, in runs of at most batchSize, from the start sequence', async () => {
    const seen: RecordedEvent[] = [];
    const sizes: number[] = [];
    const lasts: number[] = [];
    const stop = new AbortController();
    await consumeInOrder(
      nc.jetstream(),
      'reader',
      async (batch, last) => {
        sizes.push(batch.length);
        lasts.push(last);
        seen.push(...batch);
        if (seen.length >= 120) stop.abort();
      },
      options(stop.signal),
    );
    expect(Math.max(...sizes)).toBeLessThanOrEqual(40);
    expect(seen.map((e) => e.id)).toEqual(events.slice(0, seen.length).map((e) => e.id));
    expect(lasts.at(-1)).toBe(seen.length);

    // Positioned again after what the caller committed: the rest, nothing twice.
    const rest: RecordedEvent[] = [];
    const stop2 = new AbortController();
    await consumeInOrder(
      nc.jetstream(),
      'reader',
      async (batch) => {
        rest.push(...batch);
        if (seen.length + rest.length >= events.length) stop2.abort();
      },
      options(stop2.signal, seen.length + 1),
    );
    expect([...seen, ...rest].map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect((await jsm.consumers.info(EVENTS_STREAM, 'reader')).num_ack_pending).toBe(0);
  });

  it("gives the handler's error to the caller, having called it once", async () => {
    let calls = 0;
    const failing = consumeInOrder(
      nc.jetstream(),
      'flaky',
      async () => {
        calls += 1;
        throw new Error('read model unavailable');
      },
      options(new AbortController().signal),
    );
    await expect(failing).rejects.toThrow('read model unavailable');
    expect(calls).toBe(1);
  });

  it('rejects with ConsumerGoneError when its consumer is deleted under it', async () => {
    let handled = 0;
    const running = consumeInOrder(
      nc.jetstream(),
      'doomed',
      async (batch) => {
        handled += batch.length;
      },
      options(new AbortController().signal),
    );
    await until('all handled', () => handled === events.length);
    const outcome = running.then(
      () => null,
      (e: unknown) => e,
    );
    await jsm.consumers.delete(EVENTS_STREAM, 'doomed');
    expect(await outcome).toBeInstanceOf(ConsumerGoneError);
  });

  it('after nats-server restarted under it, the caller positions again from what it committed and gets the rest', async () => {
    const client = await connectNats(server.url, 'restart-test');
    const stop = new AbortController();
    let latest = 0n;
    let committedSeq = 0;
    const repositioned: string[] = [];
    // As the projector does: position again after ConsumerGone/Stalled.
    const running = (async () => {
      while (!stop.signal.aborted) {
        try {
          await consumeInOrder(
            client.jetstream({ timeout: 2_000 }),
            'survivor',
            async (batch, last) => {
              latest = batch.at(-1)?.position ?? latest;
              committedSeq = last;
            },
            { ...options(stop.signal, committedSeq + 1), stallMs: 1_000 },
          );
        } catch (error) {
          if (!(error instanceof ConsumerGoneError || error instanceof ConsumerStalledError))
            repositioned.push(`unexpected: ${String(error)}`);
          else repositioned.push(error.name);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })();
    await until('caught up', () => latest === 300n);
    await server.restart({ downMs: 300 });
    const more = sampleRecordedEvents(20, 301n);
    const js = nc.jetstream({ timeout: 5_000 });
    for (const e of more) {
      for (;;) {
        try {
          await publishEvent(js, e);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    await until('the events published after the restart', () => latest === 320n, 30_000);
    stop.abort();
    await running;
    await client.close();
    expect(repositioned.filter((r) => r.startsWith('unexpected'))).toEqual([]);
  }, 60_000);
});
