import { type JetStreamManager, type NatsConnection, connect } from 'nats';
import { decodeEventMessage } from './message.js';
import { createPipelinedPublisher } from './publisher.js';
import { ensureEventsStream } from './stream.js';
import { EVENTS_STREAM } from './subjects.js';
import { readStreamTail } from './tail.js';
import {
  type TestNatsServer,
  sampleRecordedEvents,
  startNatsServer,
} from './test-support/index.js';

let server: TestNatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  jsm = await nc.jetstreamManager();
  await ensureEventsStream(jsm);
});
afterAll(async () => {
  await nc.close();
  await server.stop();
});

const storedPositions = async (from: number, to: number): Promise<bigint[]> => {
  const out: bigint[] = [];
  for (let seq = from; seq <= to; seq += 1) {
    const m = await jsm.streams.getMessage(EVENTS_STREAM, { seq });
    out.push(decodeEventMessage({ data: m.data, headers: m.header }).position);
  }
  return out;
};

describe('createPipelinedPublisher', () => {
  it('keeps at most maxOutstanding acks in flight and stores every event once, in order', async () => {
    const events = sampleRecordedEvents(2_000);
    const marks: bigint[] = [];
    let peak = 0;
    const publisher = createPipelinedPublisher(nc.jetstream(), {
      maxOutstanding: 100,
      chainFromSequence: 0,
      onHighWater: (p) => marks.push(p),
    });
    for (const e of events) {
      await publisher.publish(e);
      peak = Math.max(peak, publisher.outstanding);
    }
    expect(await publisher.flush()).toBe(2_000n);
    expect(peak).toBe(100);
    // The mark only ever rises, and ends at the last event.
    expect(marks).toEqual([...marks].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(marks.at(-1)).toBe(2_000n);
    const info = await jsm.streams.info(EVENTS_STREAM);
    expect(info.state.messages).toBe(2_000);
    expect(await storedPositions(1_995, 2_000)).toEqual([1995n, 1996n, 1997n, 1998n, 1999n, 2000n]);
  });

  it('never reports a position past an ack that has not arrived', async () => {
    // A JetStream client whose acks we release by hand, in any order.
    const pending: { position: bigint; resolve: () => void }[] = [];
    const fakeJs = {
      publish: (_s: string, _d: Uint8Array, o: { headers: { get(k: string): string } }) =>
        new Promise((resolve) =>
          pending.push({
            position: BigInt(o.headers.get('Nhagiao-Position')),
            resolve: () => resolve({ stream: 'S', seq: 0, duplicate: false }),
          }),
        ),
    } as unknown as Parameters<typeof createPipelinedPublisher>[0];
    const publisher = createPipelinedPublisher(fakeJs, { maxOutstanding: 10 });
    for (const e of sampleRecordedEvents(5, 101n)) await publisher.publish(e);
    await new Promise((r) => setImmediate(r)); // sends go out on the next macrotask
    expect(pending).toHaveLength(5);
    const ack = async (position: bigint): Promise<void> => {
      pending.find((p) => p.position === position)?.resolve();
      await new Promise((r) => setImmediate(r));
    };
    await ack(103n);
    await ack(102n);
    expect(publisher.highWater).toBeNull(); // 101 still outstanding
    await ack(101n);
    expect(publisher.highWater).toBe(103n);
    await ack(105n);
    expect(publisher.highWater).toBe(103n);
    await ack(104n);
    expect(publisher.highWater).toBe(105n);
    expect(publisher.outstanding).toBe(0);
  });

  it('chained publishing refuses to store after a gap, so JetStream never holds events out of order', async () => {
    const tail = await readStreamTail(jsm);
    const js = nc.jetstream();
    const failures: Error[] = [];
    // Pretend one message was stored that was not: every publish now expects a wrong last sequence.
    const publisher = createPipelinedPublisher(js, {
      chainFromSequence: tail.lastSequence + 1,
      onFailure: (e) => failures.push(e),
    });
    for (const e of sampleRecordedEvents(3, 5_000n))
      await publisher.publish(e).catch(() => undefined);
    await expect(publisher.flush()).rejects.toMatchObject({ code: 'publish-failed' });
    expect(failures).toHaveLength(1);
    expect(publisher.highWater).toBeNull();
    expect((await readStreamTail(jsm)).lastSequence).toBe(tail.lastSequence);
    await expect(publisher.publish(sampleRecordedEvents(1, 6_000n)[0]!)).rejects.toMatchObject({
      code: 'publish-failed',
    });
  });
});
