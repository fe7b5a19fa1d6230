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
import { sampleRecordedEvents, startNatsServer, connect } from '@nhagiao/bus/test-support';
import type { Envelope } from '@nhagiao/domain';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { runRelay } from '@nhagiao/relay';
import { kvCheckpointStore } from '@nhagiao/bus';

const count = Number(process.argv[2] ?? 100_000);
/**
 * Wall time and this process's CPU time (user + system) per event: the machine
 * is shared, so wall-clock rates move with the neighbours' load while CPU time
 * per event says what the code itself costs. nats-server's CPU is not counted.
 */
const report = (
  name: string,
  events: number,
  ms: number,
  cpu: NodeJS.CpuUsage,
): { perSecond: number; cpuUsPerEvent: number } => {
  const perSecond = Math.round((events / ms) * 1000);
  const cpuUsPerEvent = Math.round(((cpu.user + cpu.system) / events) * 10) / 10;
  process.stdout.write(
    `${JSON.stringify({ bench: name, events, ms: Math.round(ms), perSecond, cpuUsPerEvent })}\n`,
  );
  return { perSecond, cpuUsPerEvent };
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
      const c0 = process.cpuUsage();
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
      const rate = report(
        'raw-publish-1000-outstanding',
        count,
        performance.now() - t0,
        process.cpuUsage(c0),
      );
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
    const c0 = process.cpuUsage();
    const started = performance.now();
    let caughtUp: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (caughtUp = resolve));
    const relaying = runRelay({
      store,
      nc,
      checkpoint: kvCheckpointStore(kv),
      holderId: 'bench',
      signal: stop.signal,
      logger: silentLogger,
      onPublished: (p) => {
        if (p === head) caughtUp();
      },
    });
    await done;
    const end = performance.now();
    const rate = report('relay-sqlite-to-jetstream', count, end - started, process.cpuUsage(c0));
    process.stdout.write(
      `${JSON.stringify({
        relayVsRaw: Math.round((rate.perSecond / raw.perSecond) * 100) / 100,
        cpuRelayVsRaw: Math.round((rate.cpuUsPerEvent / raw.cpuUsPerEvent) * 100) / 100,
        note: 'relay includes lease and stream setup',
      })}\n`,
    );
    stop.abort();
    await relaying;
    await nc.close();
    await store.close();
  } finally {
    await server.stop();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
