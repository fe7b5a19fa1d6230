/**
 * The production pipeline's rates on this machine, with raw JetStream as the
 * baseline measured in the same run:
 *   raw publish (1,000 acks outstanding) · raw consume (explicit acks) ·
 *   relay (SQLite store → JetStream) · projector (JetStream → PostgreSQL) ·
 *   end-to-end lag, append → figure committed in PostgreSQL, at a steady 1,000 events/s ·
 *   the projector again, warm, over the whole log (the baseline of the R3 projector);
 * then on a 3-node cluster (R3 stream and lease buckets): raw R3 publish, relay
 * and projector, and the failover time after kill -9 of the active projector
 * and of the active relay (`nhagiao project` / `nhagiao relay` processes, two
 * of each, with --lease-ttl 3s as docs/deploy.md says).
 * Run: npx tsx services/projector/bench/pipeline.bench.ts [teachers]
 * Needs /usr/sbin/nats-server (or NATS_SERVER) and PostgreSQL at BENCH_PG_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres); makes and drops its own database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeEvent, silentLogger } from '@nhagiao/bus';
import {
  sampleRecordedEvents,
  startNatsCluster,
  startNatsServer,
  AckPolicy,
  type JetStreamClient,
  StorageType,
  connect,
} from '@nhagiao/bus/test-support';
import { generateDataset } from '@nhagiao/dataset';
import { type DomainEvent, bacKan423of2024, streamOf } from '@nhagiao/domain';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { arrayItems, createIngestor } from '@nhagiao/ingest';
import { openPostgresReadModel } from '@nhagiao/readmodels';
import { relayCommand } from '@nhagiao/relay';
import pg from 'pg';
import { runProjector } from '../src/projector.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const rate = (n: number, ms: number): string =>
  `${Math.round((n / ms) * 1000).toLocaleString('en')} /s`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const teachers = Number(process.argv[2] ?? 1_500);
const RAW = 20_000;
const LAG_EVENTS = 5_000;
const FAILOVER_EVENTS = 3_000;
const MAIN = resolve(import.meta.dirname, '../../cli/src/main.ts');
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

/** Publishes `RAW` messages with 1,000 acks outstanding; returns the milliseconds taken. */
const rawPublish = async (js: JetStreamClient): Promise<number> => {
  const raw = sampleRecordedEvents(RAW).map(encodeEvent);
  const t = performance.now();
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
  return performance.now() - t;
};

/** `nhagiao ARGS…` in its own process, its JSON log lines kept. */
const nhagiao = (args: readonly string[]) => {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: child.stderr! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    lines,
    has: (message: string) => lines.some((l) => l['message'] === message),
    async kill(signal: NodeJS.Signals) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
};

const until = async (what: string, check: () => Promise<boolean> | boolean, ms = 120_000) => {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
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
  const rawPublishMs = await rawPublish(js);
  let t: number;
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
  // At most a fifth of the dataset each (--quick has few teachers).
  const failoverPart = envelopes.splice(
    envelopes.length - Math.min(FAILOVER_EVENTS, Math.floor(envelopes.length / 5)),
  );
  const lagPart = envelopes.splice(
    envelopes.length - Math.min(LAG_EVENTS, Math.floor(envelopes.length / 4)),
  );
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
        if (p >= head) relayDone();
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
  const relayRate = Number(head) / relayMs;
  const projectorRate = Number(head) / projectorMs;
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

  // 5b. The single-node projector again, warm, over every event now in the
  // stream, into a fresh database: the baseline of the R3 projector below
  // (the first run above also pays the process's warm-up and a smaller log).
  const warmDb = `${dbName}_warm`;
  await admin(`create database "${warmDb}"`);
  const warmUrl = Object.assign(new URL(ADMIN), { pathname: `/${warmDb}` }).toString();
  const warmModel = await openPostgresReadModel(warmUrl);
  const warmStop = new AbortController();
  let warmProjected = 0n;
  t = performance.now();
  const warmProjecting = runProjector({
    nc,
    readModel: warmModel,
    indicators: bacKan423of2024.indicators,
    durableName: 'bench-warm',
    signal: warmStop.signal,
    logger: silentLogger,
    onFlush: (f) => (warmProjected = f.checkpoint ?? 0n),
  });
  while (warmProjected < last) await sleep(5);
  const warmProjectorMs = performance.now() - t;
  const warmProjectorRate = Number(last) / warmProjectorMs;
  say(
    `projector → pg   ${rate(Number(last), warmProjectorMs)}  (${last} events, warm, fresh database)`,
  );
  warmStop.abort();
  await warmProjecting;
  await warmModel.close();
  await admin(`drop database if exists "${warmDb}" with (force)`);

  // 6. The same on a 3-node cluster: R3 stream, R3 lease buckets.
  const cluster = await startNatsCluster();
  const cnc = await connect({ servers: cluster.url.split(',') });
  const r3Db = `${dbName}_r3`;
  await admin(`create database "${r3Db}"`);
  const r3Url = Object.assign(new URL(ADMIN), { pathname: `/${r3Db}` }).toString();
  const children: ReturnType<typeof nhagiao>[] = [];
  try {
    say(`3-node cluster ${cluster.url}`);
    const cjsm = await cnc.jetstreamManager();
    await cjsm.streams.add({
      name: 'BENCH_RAW',
      subjects: ['bench.raw.>'],
      storage: StorageType.File,
      num_replicas: 3,
    });
    const rawR3Ms = await rawPublish(cnc.jetstream());
    say(
      `raw publish R3   ${rate(RAW, rawR3Ms)}  (${Math.round((RAW / rawR3Ms / (RAW / rawPublishMs)) * 100)} % of single-node raw publish)`,
    );
    const all = (await writer.head()) ?? 0n;
    const r3Store = openSqliteEventStore(storePath, { readOnly: true, pollIntervalMs: 5 });
    const r3Stop = new AbortController();
    let r3Done: () => void = () => undefined;
    const r3CaughtUp = new Promise<void>((r) => (r3Done = r));
    t = performance.now();
    const r3Relaying = relayCommand({
      store: r3Store,
      natsUrl: cluster.url,
      logger: silentLogger,
      signal: r3Stop.signal,
      progressIntervalMs: 0,
      tuning: { replicas: 3, onPublished: (p) => p >= all && r3Done() },
    });
    await r3CaughtUp;
    const r3RelayMs = performance.now() - t;
    say(
      `relay R3         ${rate(Number(all), r3RelayMs)}  (${all} events, ${Math.round((Number(all) / r3RelayMs / (RAW / rawR3Ms)) * 100)} % of raw R3 publish, ${Math.round((Number(all) / r3RelayMs / relayRate) * 100)} % of the single-node relay)`,
    );
    r3Stop.abort();
    await r3Relaying;
    await r3Store.close();
    const r3Model = await openPostgresReadModel(r3Url);
    const r3ProjStop = new AbortController();
    let r3Projected = 0n;
    t = performance.now();
    const r3Projecting = runProjector({
      nc: cnc,
      readModel: r3Model,
      indicators: bacKan423of2024.indicators,
      durableName: 'bench',
      replicas: 3,
      signal: r3ProjStop.signal,
      logger: silentLogger,
      onFlush: (f) => (r3Projected = f.checkpoint ?? 0n),
    });
    while (r3Projected < all) await sleep(5);
    const r3ProjectorMs = performance.now() - t;
    say(
      `projector R3→pg  ${rate(Number(all), r3ProjectorMs)}  (${all} events, ${Math.round((Number(all) / r3ProjectorMs / warmProjectorRate) * 100)} % of the warm single-node projector over the same events, ${Math.round((Number(all) / r3ProjectorMs / projectorRate) * 100)} % of the first one)`,
    );
    r3ProjStop.abort();
    await r3Projecting;

    // 7. Failover: two relays and two projectors as an operator runs them,
    // events appended at 100/s; kill -9 of the active one of each.
    const settings = ['--nats', cluster.url, '--lease-ttl', '3s', '--replicas', '3'];
    const common = [...settings, '--log-format', 'json'];
    const relays = [0, 1].map(() =>
      nhagiao(['relay', '--store', `sqlite:${storePath}`, ...common]),
    );
    const projectors = [0, 1].map(() =>
      nhagiao(['project', '--readmodel', r3Url, '--batch-size', '200', ...common]),
    );
    children.push(...relays, ...projectors);
    await until(
      'a relay publishing and one standing by',
      () =>
        relays.some((r) => r.has('relay holds the lease')) &&
        relays.some((r) => r.has('relay waiting for the lease')),
    );
    await until(
      'a projector projecting and one standing by',
      () =>
        projectors.some((p) => p.has('projector holds the read model: projecting')) &&
        projectors.some((p) => p.has('projector standing by: another holds the read model')),
    );
    let appending = true;
    const appender = (async () => {
      for (let i = 0; i < failoverPart.length && appending; i += 10) {
        await writer.appendBatch(
          failoverPart.slice(i, i + 10).map((e) => ({
            stream: streamOf(e as DomainEvent),
            events: [e],
            expected: 'any' as const,
          })),
        );
        await sleep(100);
      }
    })();
    const lastSeq = async () => (await cjsm.streams.info('NHAGIAO_EVENTS')).state.last_seq;
    await sleep(1_500);
    const holds = (lines: Record<string, unknown>[], held: string, waiting: string): boolean =>
      lines.findLast((l) => l['message'] === held || l['message'] === waiting)?.['message'] ===
      held;
    const projectorHolder = projectors.find((p) =>
      holds(
        p.lines,
        'projector holds the read model: projecting',
        'projector standing by: another holds the read model',
      ),
    )!;
    await projectorHolder.kill('SIGKILL');
    const killedAt = performance.now();
    const atKill = (await r3Model.checkpoint('ledger')) ?? 0n;
    await until(
      'the standby projector committing',
      async () => ((await r3Model.checkpoint('ledger')) ?? 0n) > atKill,
    );
    const projectorFailoverMs = performance.now() - killedAt;
    await sleep(1_500);
    const relayHolder = relays.find((r) =>
      holds(r.lines, 'relay holds the lease', 'relay waiting for the lease'),
    )!;
    await relayHolder.kill('SIGKILL');
    const relayKilledAt = performance.now();
    const seqAtKill = await lastSeq();
    await until('the standby relay publishing', async () => (await lastSeq()) > seqAtKill).catch(
      (error: unknown) => {
        for (const r of relays) say(JSON.stringify(r.lines.slice(-12)));
        throw error;
      },
    );
    const relayFailoverMs = performance.now() - relayKilledAt;
    appending = false;
    await appender;
    say(
      `failover (kill -9, --lease-ttl 3s): projector ${(projectorFailoverMs / 1000).toFixed(1)} s, relay ${(relayFailoverMs / 1000).toFixed(1)} s  (target ≤ 5 s each)`,
    );
    await r3Model.close();
  } finally {
    for (const c of children) await c.kill('SIGKILL');
    await cnc.close();
    await cluster.stop();
    await admin(`drop database if exists "${r3Db}" with (force)`);
    await writer.close();
  }
} finally {
  await nc.close();
  await nats.stop();
  await admin(`drop database if exists "${dbName}" with (force)`);
  await rm(dir, { recursive: true, force: true });
}
