/**
 * The production pipeline's rates on this machine, with raw JetStream as the
 * baseline measured in the same run:
 *   raw publish (1,000 acks outstanding) · raw consume (explicit acks) ·
 *   relay (SQLite store → JetStream) · projector (JetStream → PostgreSQL) ·
 *   end-to-end lag, append → figure committed in PostgreSQL, at a steady 1,000 events/s.
 * Run: npx tsx services/projector/bench/pipeline.bench.ts [teachers]
 * Needs /usr/sbin/nats-server (or NATS_SERVER) and PostgreSQL at BENCH_PG_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres); makes and drops its own database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEvent, silentLogger } from '@nhagiao/bus';
import { sampleRecordedEvents, startNatsServer } from '@nhagiao/bus/test-support';
import { generateDataset } from '@nhagiao/dataset';
import { type DomainEvent, bacKan423of2024, streamOf } from '@nhagiao/domain';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { arrayItems, createIngestor } from '@nhagiao/ingest';
import { openPostgresReadModel } from '@nhagiao/readmodels';
import { relayCommand } from '@nhagiao/relay';
import { AckPolicy, StorageType, connect } from 'nats';
import pg from 'pg';
import { runProjector } from '../src/projector.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const rate = (n: number, ms: number): string =>
  `${Math.round((n / ms) * 1000).toLocaleString('en')} /s`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const teachers = Number(process.argv[2] ?? 1_500);
const RAW = 20_000;
const LAG_EVENTS = 5_000;
const ADMIN = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const admin = async (statement: string): Promise<void> => {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
};

const dir = await mkdtemp(join(tmpdir(), 'nhagiao-bench-'));
const nats = await startNatsServer();
const dbName = `bench_pipeline_${process.pid}`;
await admin(`create database "${dbName}"`);
const pgUrl = Object.assign(new URL(ADMIN), { pathname: `/${dbName}` }).toString();
const nc = await connect({ servers: nats.url });
const js = nc.jetstream();
const jsm = await nc.jetstreamManager();
say(`pipeline bench: ${teachers} teachers, nats ${nats.url}, PostgreSQL ${dbName}`);

try {
  // 1. Raw JetStream publish, 1,000 acks outstanding, same messages as the relay's.
  await jsm.streams.add({
    name: 'BENCH_RAW',
    subjects: ['bench.raw.>'],
    storage: StorageType.File,
  });
  const raw = sampleRecordedEvents(RAW).map(encodeEvent);
  let t = performance.now();
  const window = new Set<Promise<unknown>>();
  for (const m of raw) {
    const p = js.publish(`bench.raw.${m.subject}`, m.payload, {
      msgID: m.msgID,
      headers: m.headers,
    });
    window.add(p);
    void p.then(() => window.delete(p));
    if (window.size >= 1_000) await Promise.race(window);
  }
  await Promise.all(window);
  const rawPublishMs = performance.now() - t;
  say(`raw publish      ${rate(RAW, rawPublishMs)}  (${RAW} msgs, 1,000 acks outstanding)`);

  // 2. Raw consume with explicit acks.
  await jsm.consumers.add('BENCH_RAW', {
    durable_name: 'raw',
    ack_policy: AckPolicy.Explicit,
    max_ack_pending: 5_000,
  });
  const consumer = await js.consumers.get('BENCH_RAW', 'raw');
  t = performance.now();
  let consumed = 0;
  while (consumed < RAW) {
    const batch = await consumer.fetch({ max_messages: 1_000, expires: 2_000 });
    for await (const m of batch) {
      m.ack();
      consumed += 1;
    }
  }
  const rawConsumeMs = performance.now() - t;
  say(`raw consume      ${rate(RAW, rawConsumeMs)}`);

  // 3. The relay: a store imported through the ingestor, published from position 0.
  const envelopes = [...generateDataset({ teachers, seed: 42 })];
  const lagPart = envelopes.splice(envelopes.length - LAG_EVENTS);
  const storePath = join(dir, 'events.sqlite');
  const writer = openSqliteEventStore(storePath);
  await createIngestor({ store: writer }).ingest(arrayItems(envelopes), {
    source: 'bench',
    mode: 'partial',
    keepOutcomes: false,
  });
  const head = (await writer.head()) ?? 0n;
  const relayStore = openSqliteEventStore(storePath, { readOnly: true, pollIntervalMs: 5 });
  const relayStop = new AbortController();
  let relayDone: () => void = () => undefined;
  const relayCaughtUp = new Promise<void>((r) => (relayDone = r));
  const appendedAt = new Map<bigint, number>();
  const publishedAt = new Map<bigint, number>();
  t = performance.now();
  const relaying = relayCommand({
    store: relayStore,
    natsUrl: nats.url,
    logger: silentLogger,
    signal: relayStop.signal,
    tuning: {
      onPublished: (p) => {
        if (appendedAt.size > 0) publishedAt.set(p, performance.now());
        if (p === head) relayDone();
      },
    },
  });
  await relayCaughtUp;
  const relayMs = performance.now() - t;
  say(
    `relay            ${rate(Number(head), relayMs)}  (${head} events, ${Math.round((Number(head) / relayMs / (RAW / rawPublishMs)) * 100)} % of raw publish)`,
  );

  // 4. The projector into PostgreSQL, from the first message.
  const readModel = await openPostgresReadModel(pgUrl);
  const projectorStop = new AbortController();
  const committedAt: { checkpoint: bigint; at: number }[] = [];
  let projected = 0n;
  t = performance.now();
  const projecting = runProjector({
    nc,
    readModel,
    indicators: bacKan423of2024.indicators,
    durableName: 'bench',
    signal: projectorStop.signal,
    logger: silentLogger,
    onFlush: (f) => {
      projected = f.checkpoint ?? 0n;
      if (appendedAt.size > 0) committedAt.push({ checkpoint: projected, at: performance.now() });
    },
  });
  while (projected < head) await sleep(5);
  const projectorMs = performance.now() - t;
  say(`projector → pg   ${rate(Number(head), projectorMs)}  (${head} events)`);

  // 5. End-to-end lag at a steady 1,000 events/s: 10 events every 10 ms.
  const stepMs = 10;
  const perStep = 10;
  const start = performance.now();
  for (let i = 0; i < lagPart.length; i += perStep) {
    const due = start + (i / perStep) * stepMs;
    const now = performance.now();
    if (due > now) await sleep(due - now);
    const chunk = lagPart.slice(i, i + perStep);
    const results = await writer.appendBatch(
      chunk.map((e) => ({
        stream: streamOf(e as DomainEvent),
        events: [e],
        expected: 'any' as const,
      })),
    );
    const at = performance.now();
    for (const r of results) for (const o of r.outcomes) appendedAt.set(o.position, at);
  }
  const offeredMs = performance.now() - start;
  const last = (await writer.head()) ?? 0n;
  while (projected < last) await sleep(5);
  const lags: number[] = [];
  let k = 0;
  const sortedCommits = committedAt.sort((a, b) => (a.checkpoint < b.checkpoint ? -1 : 1));
  for (const [position, at] of [...appendedAt].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    while (k < sortedCommits.length && (sortedCommits[k]?.checkpoint ?? 0n) < position) k++;
    const c = sortedCommits[k];
    if (c !== undefined) lags.push(c.at - at);
  }
  lags.sort((a, b) => a - b);
  const pct = (p: number): string =>
    (lags[Math.min(lags.length - 1, Math.floor(lags.length * p))] ?? NaN).toFixed(1);
  say(
    `end-to-end lag   p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms  (${lags.length} events offered at ${rate(lags.length, offeredMs)})`,
  );

  relayStop.abort();
  projectorStop.abort();
  await Promise.all([relaying, projecting]);
  await readModel.close();
  await relayStore.close();
  await writer.close();
} finally {
  await nc.close();
  await nats.stop();
  await admin(`drop database if exists "${dbName}" with (force)`);
  await rm(dir, { recursive: true, force: true });
}
