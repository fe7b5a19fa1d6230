import { type JetStreamManager, type Msg, type MsgHdrs, type NatsConnection, connect } from 'nats';
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

/**
 * A stand-in for the connection that records each publish and lets the test
 * deliver its ack whenever it likes: a real server acks in order, and the
 * publisher must be right in any order.
 */
const handAckedConnection = (): {
  fakeNc: NatsConnection;
  pending: { position: bigint; ack: () => void }[];
} => {
  const pending: { position: bigint; ack: () => void }[] = [];
  let deliver: (error: null, msg: Msg) => void = () => undefined;
  let seq = 0;
  const fake = {
    subscribe: (_subject: string, opts: { callback: (error: null, msg: Msg) => void }) => {
      deliver = opts.callback;
      return { unsubscribe: () => undefined };
    },
    publish: (_subject: string, _data: Uint8Array, o: { reply: string; headers: MsgHdrs }) => {
      pending.push({
        position: BigInt(o.headers.get('Nhagiao-Position')),
        ack: () => {
          seq += 1;
          deliver(null, {
            subject: o.reply,
            headers: undefined,
            data: new TextEncoder().encode(JSON.stringify({ stream: 'S', seq })),
          } as unknown as Msg);
        },
      });
    },
  };
  return { fakeNc: fake as unknown as NatsConnection, pending };
};

describe('createPipelinedPublisher', () => {
  it('keeps at most maxOutstanding acks in flight and stores every event once, in order', async () => {
    const events = sampleRecordedEvents(2_000);
    const marks: bigint[] = [];
    let peak = 0;
    const publisher = createPipelinedPublisher(nc, {
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
    // A connection whose acks we release by hand, in any order.
    const { fakeNc, pending } = handAckedConnection();
    const publisher = createPipelinedPublisher(fakeNc, { maxOutstanding: 10 });
    for (const e of sampleRecordedEvents(5, 101n)) await publisher.publish(e);
    await new Promise((r) => setImmediate(r)); // sends go out on the next macrotask
    expect(pending).toHaveLength(5);
    const ack = (position: bigint): void => pending.find((p) => p.position === position)?.ack();
    ack(103n);
    ack(102n);
    expect(publisher.highWater).toBeNull(); // 101 still outstanding
    ack(101n);
    expect(publisher.highWater).toBe(103n);
    ack(105n);
    expect(publisher.highWater).toBe(103n);
    ack(104n);
    expect(publisher.highWater).toBe(105n);
    expect(publisher.outstanding).toBe(0);
    publisher.close();
  });

  it('fails when an ack does not come within the timeout, and never moves the mark past it', async () => {
    const { fakeNc, pending } = handAckedConnection();
    const failures: Error[] = [];
    const publisher = createPipelinedPublisher(fakeNc, {
      timeoutMs: 40,
      onFailure: (e) => failures.push(e),
    });
    for (const e of sampleRecordedEvents(3, 1n)) await publisher.publish(e);
    await new Promise((r) => setImmediate(r));
    pending.find((p) => p.position === 2n)?.ack();
    await expect(publisher.flush()).rejects.toMatchObject({
      code: 'publish-failed',
      message: expect.stringMatching(/position 1 failed: no ack within 40 ms/),
    });
    expect(failures).toHaveLength(1);
    expect(publisher.highWater).toBeNull();
    publisher.close();
  });

  it('fails with a clear error when no stream captures the subject', async () => {
    // A server without the events stream answers "no responders".
    const bare = await startNatsServer();
    const bareNc = await connect({ servers: bare.url });
    try {
      const publisher = createPipelinedPublisher(bareNc, { chainFromSequence: 0 });
      await publisher.publish(sampleRecordedEvents(1)[0]!);
      await expect(publisher.flush()).rejects.toMatchObject({
        code: 'publish-failed',
        message: expect.stringMatching(/no JetStream stream captures its subject/),
      });
      publisher.close();
    } finally {
      await bareNc.close();
      await bare.stop();
    }
  });

  it('closing with events unacknowledged fails them instead of leaving flush waiting', async () => {
    const { fakeNc } = handAckedConnection();
    const publisher = createPipelinedPublisher(fakeNc);
    await publisher.publish(sampleRecordedEvents(1)[0]!);
    const flushed = publisher.flush();
    publisher.close();
    await expect(flushed).rejects.toMatchObject({ code: 'publisher-closed' });
    await expect(publisher.publish(sampleRecordedEvents(1, 2n)[0]!)).rejects.toMatchObject({
      code: 'publisher-closed',
    });
  });

  it('chained publishing refuses to store after a gap, so JetStream never holds events out of order', async () => {
    const tail = await readStreamTail(jsm);
    const failures: Error[] = [];
    // Pretend one message was stored that was not: every publish now expects a wrong last sequence.
    const publisher = createPipelinedPublisher(nc, {
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
