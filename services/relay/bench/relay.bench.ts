/**
 * The relay's rate against the raw JetStream publish rate measured in the same
 * run: `npx tsx services/relay/bench/relay.bench.ts [events]`. Fills a SQLite
 * store with `events` events, starts its own nats-server per phase, prints one
 * JSON line per figure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  RELAY_BUCKET,
  encodeEvent,
  ensureEventsStream,
  openKvBucket,
  silentLogger,
} from '@nhagiao/bus';
import { sampleRecordedEvents, startNatsServer } from '@nhagiao/bus/test-support';
import type { Envelope } from '@nhagiao/domain';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { connect } from 'nats';
import { kvCheckpointStore, runRelay } from '@nhagiao/relay';

const count = Number(process.argv[2] ?? 100_000);
const report = (name: string, events: number, ms: number): number => {
  const perSecond = Math.round((events / ms) * 1000);
  process.stdout.write(
    `${JSON.stringify({ bench: name, events, ms: Math.round(ms), perSecond })}\n`,
  );
  return perSecond;
};

const dir = await mkdtemp(join(tmpdir(), 'nhagiao-relay-bench-'));
const events = sampleRecordedEvents(count);
try {
  // The store: appended in batches of 1,000 events.
  const path = join(dir, 'events.sqlite');
  const writer = openSqliteEventStore(path);
  for (let i = 0; i < events.length; i += 1_000) {
    await writer.appendBatch(
      events.slice(i, i + 1_000).map((e) => ({
        stream: `${e.stream}-${i}`,
        events: [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata } as Envelope],
        expected: 'any' as const,
      })),
    );
  }
  const head = await writer.head();
  await writer.close();

  // Baseline: raw js.publish, 1,000 acks outstanding.
  const raw = await (async () => {
    const server = await startNatsServer();
    try {
      const nc = await connect({ servers: server.url });
      await ensureEventsStream(await nc.jetstreamManager());
      const js = nc.jetstream();
      let inFlight = 0;
      let wake: (() => void) | null = null;
      const t0 = performance.now();
      for (const e of events) {
        // Encoding is part of publishing: the relay pays it too.
        const m = encodeEvent(e);
        while (inFlight >= 1_000) await new Promise<void>((r) => (wake = r));
        inFlight += 1;
        void js.publish(m.subject, m.payload, { msgID: m.msgID, headers: m.headers }).then(() => {
          inFlight -= 1;
          const w = wake;
          wake = null;
          w?.();
        });
      }
      while (inFlight > 0) await new Promise<void>((r) => (wake = r));
      const rate = report('raw-publish-1000-outstanding', count, performance.now() - t0);
      await nc.close();
      return rate;
    } finally {
      await server.stop();
    }
  })();

  // The relay: read-only store → JetStream, chained publishes, KV checkpoint.
  const server = await startNatsServer();
  try {
    const nc = await connect({ servers: server.url });
    const store = openSqliteEventStore(path, { readOnly: true });
    const stop = new AbortController();
    const kv = await openKvBucket(nc.jetstream(), RELAY_BUCKET);
    let t0 = 0;
    const done = new Promise<void>((resolve) => {
      void runRelay({
        store,
        nc,
        checkpoint: kvCheckpointStore(kv),
        holderId: 'bench',
        signal: stop.signal,
        logger: silentLogger,
        onPublished: (p) => {
          if (t0 === 0) t0 = performance.now();
          if (p === head) resolve();
        },
      });
    });
    const started = performance.now();
    await done;
    const end = performance.now();
    const rate = report('relay-sqlite-to-jetstream', count, end - started);
    process.stdout.write(
      `${JSON.stringify({ relayVsRaw: Math.round((rate / raw) * 100) / 100, note: 'includes lease and stream setup' })}\n`,
    );
    stop.abort();
    await nc.close();
    await store.close();
  } finally {
    await server.stop();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
