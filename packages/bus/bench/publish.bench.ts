/**
 * Raw JetStream rates on this machine, the baselines the relay and projectors are
 * judged against: `npx tsx packages/bus/bench/publish.bench.ts [events]`.
 * Starts its own nats-server; prints one JSON line per figure.
 */
import { performance } from 'node:perf_hooks';
import {
  EVENTS_STREAM,
  consumeInOrder,
  encodeEvent,
  ensureEventsStream,
  createPipelinedPublisher,
} from '@nhagiao/bus';
import { sampleRecordedEvents, startNatsServer } from '@nhagiao/bus/test-support';
import { silentLogger } from '@nhagiao/bus';
import { connect } from 'nats';

const count = Number(process.argv[2] ?? 100_000);
const outstanding = 1_000;

const report = (name: string, events: number, ms: number): void => {
  process.stdout.write(
    `${JSON.stringify({ bench: name, events, ms: Math.round(ms), perSecond: Math.round((events / ms) * 1000) })}\n`,
  );
};

const server = await startNatsServer();
try {
  const nc = await connect({ servers: server.url });
  const jsm = await nc.jetstreamManager();
  await ensureEventsStream(jsm);
  const js = nc.jetstream();
  const events = sampleRecordedEvents(count);

  // Baseline: js.publish with msgID and headers, `outstanding` acks in flight.
  const encoded = events.map(encodeEvent);
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const t0 = performance.now();
  for (const m of encoded) {
    while (inFlight >= outstanding) await new Promise<void>((r) => (wake = r));
    inFlight += 1;
    void js.publish(m.subject, m.payload, { msgID: m.msgID, headers: m.headers }).then(() => {
      inFlight -= 1;
      const w = wake;
      wake = null;
      w?.();
    });
  }
  while (inFlight > 0) await new Promise<void>((r) => (wake = r));
  report('raw-publish-1000-outstanding', count, performance.now() - t0);

  // The bus's pipelined publisher with sequence chaining, on a fresh stream.
  await jsm.streams.delete(EVENTS_STREAM).catch(() => undefined);
  await ensureEventsStream(jsm);
  const t1 = performance.now();
  const publisher = createPipelinedPublisher(nc, {
    maxOutstanding: outstanding,
    chainFromSequence: 0,
  });
  for (const e of events) await publisher.publish(e);
  await publisher.flush();
  report('pipelined-publisher-chained', count, performance.now() - t1);

  await jsm.streams.delete(EVENTS_STREAM).catch(() => undefined);
  await ensureEventsStream(jsm);
  const t3 = performance.now();
  const unchained = createPipelinedPublisher(nc, { maxOutstanding: outstanding });
  for (const e of events) await unchained.publish(e);
  await unchained.flush();
  report('pipelined-publisher-unchained', count, performance.now() - t3);

  // Raw consume: durable pull consumer in stream order, decode and ack every event.
  const stop = new AbortController();
  let seen = 0;
  const t2 = performance.now();
  await consumeInOrder(
    js,
    'bench',
    async (batch) => {
      seen += batch.length;
      if (seen >= count) stop.abort();
    },
    {
      signal: stop.signal,
      startSequence: 1,
      batchSize: 1_000,
      maxAckPending: 5_000,
      ackWaitMs: 30_000,
      logger: silentLogger,
    },
  );
  report('consume-decode-ack', seen, performance.now() - t2);
  await nc.close();
} finally {
  await server.stop();
}
