import { mkdtemp, rm } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EVENTS_STREAM,
  encodeEvent,
  ensureEventsStream,
  publishEvent,
  silentLogger,
} from '@nhagiao/bus';
import {
  type TestNatsServer,
  startNatsServer,
  AckPolicy,
  type NatsConnection,
  connect,
  nanos,
} from '@nhagiao/bus/test-support';
import { generateDataset } from '@nhagiao/dataset';
import { type RecordedEvent, bacKan423of2024 } from '@nhagiao/domain';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { arrayItems, createIngestor } from '@nhagiao/ingest';
import { type ReadModelStore, openSqliteReadModel } from '@nhagiao/readmodels';
import { catchUp } from './catch-up.js';
import { type ProjectorFlush, runProjector } from './projector.js';
import { projectorStatus, statusProblems } from './status.js';
import { rebuild } from './rebuild.js';

const indicators = bacKan423of2024.indicators;
const DATES = ['2024-06-30', '2025-12-31', '2026-11-20'];

let dir: string;
let nats: TestNatsServer;
let nc: NatsConnection;
let store: EventStore;
let events: RecordedEvent[];
let clean: { digest: string; figures: unknown };

const figuresOf = async (rm: ReadModelStore): Promise<unknown> => {
  const out = [];
  for (const asOf of DATES)
    for (const by of ['province', 'unit', 'area', 'kind'] as const)
      out.push(await rm.figures({ indicators, asOf, by }));
  return out;
};

const waitFor = async (
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> => {
  const until = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nhagiao-projector-'));
  store = openSqliteEventStore(join(dir, 'events.sqlite'));
  const report = await createIngestor({ store }).ingest(
    arrayItems([...generateDataset({ teachers: 40, seed: 7 })]),
    { source: 'dataset', mode: 'partial', keepOutcomes: false },
  );
  expect(report.appended).toBeGreaterThan(500);
  events = [];
  for await (const e of store.readAll()) events.push(e);
  const embedded = await openSqliteReadModel(join(dir, 'embedded.sqlite'));
  await catchUp({ store, readModel: embedded, indicators });
  clean = { digest: await embedded.digest(), figures: await figuresOf(embedded) };
  await embedded.close();
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  await ensureEventsStream(await nc.jetstreamManager());
  // As the relay does: each event once, in position order.
  for (const e of events) await publishEvent(nc.jetstream(), e);
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const project = (
  readModel: ReadModelStore,
  durableName: string,
  onFlush: (f: ProjectorFlush) => void = () => undefined,
  ackWaitMs = 10_000,
) => {
  const ctl = new AbortController();
  const done = runProjector({
    nc,
    readModel,
    indicators,
    durableName,
    batchSize: 300,
    ackWaitMs,
    signal: ctl.signal,
    logger: silentLogger,
    onFlush,
  });
  return { stop: async () => (ctl.abort(), done) };
};

const last = (): bigint => events[events.length - 1]?.position ?? 0n;

test('projects the stream into a read model identical to the embedded catch-up', async () => {
  const rm = await openSqliteReadModel(join(dir, 'live.sqlite'));
  const p = project(rm, 'live');
  await waitFor('checkpoint at head', async () => (await rm.checkpoint('ledger')) === last());
  const result = await p.stop();
  expect(result.received).toBe(events.length);
  expect(await rm.digest()).toBe(clean.digest);
  expect(await figuresOf(rm)).toEqual(clean.figures);

  const status = await projectorStatus({ store, readModel: rm, nc, indicators });
  expect(status.storeHead).toBe(last());
  const rows = status.readModels[0]?.check.rows ?? 0;
  expect(rows).toBeGreaterThan(0);
  expect(status.readModels).toEqual([
    {
      version: 'v1',
      active: true,
      checkpoint: last(),
      lag: 0n,
      check: { rows, duplicateRows: 0, beyondCheckpoint: 0 },
      // What the events up to the checkpoint make, counted from the store.
      expectedRows: rows,
      // Stopped: it released the read model's lease.
      leaseHolder: null,
    },
  ]);
  // No relay here and the projector stopped: nothing wrong with the ledger.
  expect(statusProblems(status, { maxLag: 0n })).not.toContainEqual(
    expect.stringContaining('ledger rows'),
  );
  expect(status.stream?.messages).toBe(events.length);
  expect(status.consumers.find((c) => c.name === 'live')).toMatchObject({
    pending: 0,
    ackPending: 0,
  });
  await rm.close();

  // A row lost (neither copied nor past the checkpoint) shows only in the count.
  const db = new Database(join(dir, 'live.v1.sqlite'));
  db.prepare('DELETE FROM ledger WHERE rowid = (SELECT max(rowid) FROM ledger)').run();
  db.close();
  const damaged = await openSqliteReadModel(join(dir, 'live.sqlite'));
  const after = await projectorStatus({ store, readModel: damaged, indicators });
  expect(statusProblems(after, { maxLag: 0n })).toEqual([
    `read model v1: ${rows - 1} ledger rows where the events up to its checkpoint make ${rows}: rebuild it`,
  ]);
  await damaged.close();
}, 30_000);

test('a consumer a dead worker left holding messages does not delay the next: it is positioned anew from the read model', async () => {
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(EVENTS_STREAM, {
    durable_name: 'gap',
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(1_500),
    max_ack_pending: 5_000,
  });
  // A worker that dies holding the first 50 messages, unacked.
  const consumer = await nc.jetstream().consumers.get(EVENTS_STREAM, 'gap');
  const taken = await consumer.fetch({ max_messages: 50, expires: 2_000 });
  let held = 0;
  for await (const _ of taken) held += 1;
  expect(held).toBe(50);

  const rm = await openSqliteReadModel(join(dir, 'gap.sqlite'));
  const flushes: ProjectorFlush[] = [];
  const started = performance.now();
  let firstAt = 0;
  const p = project(rm, 'gap', (f) => {
    if (flushes.length === 0) firstAt = performance.now() - started;
    flushes.push(f);
  });
  await waitFor('checkpoint at head', async () => (await rm.checkpoint('ledger')) === last());
  await p.stop();
  // Not held up by the 50 messages the dead worker had (their ack wait is 1.5 s).
  expect(firstAt).toBeLessThan(1_000);
  const checkpoints = flushes.map((f) => f.checkpoint ?? -1n);
  expect(checkpoints).toEqual([...checkpoints].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  expect(await rm.digest()).toBe(clean.digest);
  await rm.close();
}, 30_000);

test('a re-publish after the dedupe window, and a restart, count nothing twice', async () => {
  const rm = await openSqliteReadModel(join(dir, 'restart.sqlite'));
  let p = project(rm, 'restart');
  await waitFor('checkpoint at head', async () => (await rm.checkpoint('ledger')) === last());
  await p.stop();
  // JetStream forgot the msgID (past the window): the old event is stored again.
  const old = events[10];
  if (old === undefined) throw new Error('dataset too small');
  const m = encodeEvent(old);
  const ack = await nc.jetstream().publish(m.subject, m.payload, { headers: m.headers });
  expect(ack.duplicate).toBe(false);
  let seen = 0;
  p = project(rm, 'restart', (f) => (seen += f.received));
  const jsm = await nc.jetstreamManager();
  await waitFor('the re-published message acked', async () => {
    // The projector recreates its consumer when it takes the lease: not found meanwhile.
    const info = await jsm.consumers.info(EVENTS_STREAM, 'restart').catch(() => undefined);
    return info !== undefined && info.num_pending === 0 && info.num_ack_pending === 0;
  });
  await p.stop();
  expect(seen).toBe(1);
  expect(await rm.checkpoint('ledger')).toBe(last());
  expect(await rm.digest()).toBe(clean.digest);
  await rm.close();
}, 30_000);

test('a blue-green rebuild builds a new version from the store and activates it while the old one is read', async () => {
  const path = join(dir, 'bluegreen.sqlite');
  const old = await openSqliteReadModel(path);
  await catchUp({ store, readModel: old, indicators, batchSize: 200 });
  const result = await rebuild({
    store,
    readModelFactory: (version) =>
      openSqliteReadModel(path, version === undefined ? {} : { version }),
    indicators,
    batchSize: 500,
  });
  expect(result).toMatchObject({
    previous: 'v1',
    version: 'v2',
    applied: events.length,
    checkpoint: last(),
  });
  // The handle on v1 still answers; new handles open v2.
  expect(await old.digest()).toBe(clean.digest);
  const fresh = await openSqliteReadModel(path);
  expect(fresh.version).toBe('v2');
  expect(await fresh.digest()).toBe(clean.digest);
  expect(await figuresOf(fresh)).toEqual(clean.figures);
  await fresh.close();
  await old.close();
}, 30_000);
