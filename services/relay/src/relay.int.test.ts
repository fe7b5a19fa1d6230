import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  EVENTS_STREAM,
  type Logger,
  RELAY_BUCKET,
  decodeEventMessage,
  openKvBucket,
  readStreamTail,
} from '@nhagiao/bus';
import { kvCheckpointStore } from '@nhagiao/bus';
import {
  type TestNatsServer,
  sampleRecordedEvents,
  startNatsServer,
  type NatsConnection,
  connect,
} from '@nhagiao/bus/test-support';
import type { Envelope, RecordedEvent } from '@nhagiao/domain';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { runRelay } from './relay.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let server: TestNatsServer;
let dir: string;

beforeEach(async () => {
  server = await startNatsServer();
  dir = await mkdtemp(join(tmpdir(), 'nhagiao-relay-'));
});
afterEach(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

const toEnvelope = (e: RecordedEvent): Envelope =>
  ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata }) as Envelope;

/** Appends `count` fresh events, a stream's worth per call, and returns the stored head. */
const appendEvents = async (store: EventStore, count: number): Promise<void> => {
  const events = sampleRecordedEvents(count);
  const byStream = new Map<string, Envelope[]>();
  for (const e of events)
    byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), toEnvelope(e)]);
  // Fresh random teacher ids per call so repeated calls never collide.
  const salt = Math.random().toString(36).slice(2, 8);
  await store.appendBatch(
    [...byStream.entries()].map(([stream, envelopes]) => ({
      stream: `${stream}-${salt}`,
      events: envelopes,
      expected: 'any' as const,
    })),
  );
};

const allStored = async (store: EventStore): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  for await (const e of store.readAll()) out.push(e);
  return out;
};

/** Every message of the events stream, decoded, in stream order. */
const allPublished = async (nc: NatsConnection): Promise<RecordedEvent[]> => {
  const jsm = await nc.jetstreamManager();
  const { lastSequence } = await readStreamTail(jsm);
  const out: RecordedEvent[] = [];
  for (let seq = 1; seq <= lastSequence; seq += 1) {
    const m = await jsm.streams.getMessage(EVENTS_STREAM, { seq });
    out.push(decodeEventMessage({ data: m.data, headers: m.header }));
  }
  return out;
};

const until = async (cond: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

const tailPosition = async (nc: NatsConnection): Promise<bigint | null> => {
  try {
    return (await readStreamTail(await nc.jetstreamManager())).position;
  } catch {
    return null; // stream not created yet, or the server is restarting
  }
};

const expectSameLog = (published: RecordedEvent[], stored: RecordedEvent[]): void => {
  expect(published.map((e) => e.position)).toEqual(stored.map((e) => e.position));
  expect(published.map((e) => e.id)).toEqual(stored.map((e) => e.id));
  expect(new Set(published.map((e) => e.id)).size).toBe(published.length);
};

const openStores = (): { writer: EventStore; reader: () => EventStore } => {
  const path = join(dir, 'events.sqlite');
  const writer = openSqliteEventStore(path);
  return {
    writer,
    reader: () => openSqliteEventStore(path, { readOnly: true, pollIntervalMs: 10 }),
  };
};

describe('runRelay', () => {
  it('publishes the log once, in order, then live events, checkpointing after acks', async () => {
    const { writer, reader } = openStores();
    await appendEvents(writer, 500);
    const nc = await connect({ servers: server.url });
    const kv = await openKvBucket(nc.jetstream(), RELAY_BUCKET);
    const checkpoint = kvCheckpointStore(kv);
    const store = reader();
    const stop = new AbortController();
    const running = runRelay({
      store,
      nc,
      checkpoint,
      holderId: 'relay-1',
      signal: stop.signal,
      logger: quiet,
      checkpointIntervalMs: 50,
    });
    await until(async () => (await tailPosition(nc)) === (await writer.head()));
    await appendEvents(writer, 200);
    await until(async () => (await tailPosition(nc)) === (await writer.head()));
    await until(async () => (await checkpoint.load()) === (await writer.head()));
    stop.abort();
    await running;

    const stored = await allStored(writer);
    expect(stored).toHaveLength(700);
    const published = await allPublished(nc);
    expectSameLog(published, stored);
    expect(published[123]).toEqual(stored[123]);
    // A graceful stop releases the lease at once.
    expect((await kv.get('lease'))?.operation).not.toBe('PUT');
    await nc.close();
    await store.close();
    await writer.close();
  });

  it('of two relays started at once only one publishes; the other takes over when it stops', async () => {
    const { writer, reader } = openStores();
    await appendEvents(writer, 300);
    const nc = await connect({ servers: server.url });
    const kv = await openKvBucket(nc.jetstream(), RELAY_BUCKET);
    const published = { a: 0, b: 0 };
    const relays = (['a', 'b'] as const).map((id) => {
      const stop = new AbortController();
      const store = reader();
      const done = runRelay({
        store,
        nc,
        checkpoint: kvCheckpointStore(kv),
        holderId: `relay-${id}`,
        signal: stop.signal,
        logger: quiet,
        leaseTtlMs: 600,
        onPublished: () => (published[id] += 1),
      });
      return { id, stop, done, store };
    });
    await until(async () => (await tailPosition(nc)) === (await writer.head()));
    await new Promise((r) => setTimeout(r, 300));
    const active = published.a > 0 ? relays[0]! : relays[1]!;
    const standby = active === relays[0] ? relays[1]! : relays[0]!;
    expect(published[standby.id]).toBe(0);

    active.stop.abort();
    await active.done;
    await appendEvents(writer, 100);
    await until(async () => (await tailPosition(nc)) === (await writer.head()));
    expect(published[standby.id]).toBeGreaterThan(0);
    standby.stop.abort();
    await standby.done;

    expectSameLog(await allPublished(nc), await allStored(writer));
    await nc.close();
    for (const r of relays) await r.store.close();
    await writer.close();
  });

  it('rides out a nats-server restart while events flow, losing and doubling nothing', async () => {
    const { writer, reader } = openStores();
    const nc = await connect({
      servers: server.url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    });
    const store = reader();
    const stop = new AbortController();
    const running = runRelay({
      store,
      nc,
      checkpoint: kvCheckpointStore(await openKvBucket(nc.jetstream(), RELAY_BUCKET)),
      holderId: 'relay-r',
      signal: stop.signal,
      logger: quiet,
      leaseTtlMs: 1_000,
      retryDelayMs: 100,
    });
    let appending = true;
    const appender = (async () => {
      while (appending) {
        await appendEvents(writer, 20);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await until(async () => ((await tailPosition(nc)) ?? 0n) > 200n);
    await server.restart({ downMs: 300 });
    await new Promise((r) => setTimeout(r, 500));
    appending = false;
    await appender;
    await until(async () => (await tailPosition(nc)) === (await writer.head()), 20_000);
    stop.abort();
    await running;

    const stored = await allStored(writer);
    expect(stored.length).toBeGreaterThan(300);
    expectSameLog(await allPublished(nc), stored);
    await nc.close();
    await store.close();
    await writer.close();
  });
});

describe('relay process killed between publish and checkpoint', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  const child = (path: string, holder: string, checkpointMs: number): ChildProcess => {
    const c = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve(__dirname, 'test-support/relay-child.ts'),
        path,
        server.url,
        holder,
        '800',
        String(checkpointMs),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // Drain the child's log so it never blocks on a full pipe.
    c.stdout?.resume();
    c.stderr?.resume();
    children.push(c);
    return c;
  };

  it('resumes after a SIGKILL from what JetStream holds: nothing missing, nothing twice', async () => {
    const path = join(dir, 'events.sqlite');
    const writer = openSqliteEventStore(path);
    await appendEvents(writer, 3_000);
    const nc = await connect({ servers: server.url });

    // A checkpoint written only once a minute: the kill lands after publishes it never recorded.
    const first = child(path, 'relay-first', 60_000);
    await until(async () => ((await tailPosition(nc)) ?? 0n) >= 500n);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const kv = await openKvBucket(nc.jetstream(), RELAY_BUCKET);
    const atKill = await tailPosition(nc);
    expect(atKill).not.toBeNull();
    const checkpointAtKill = await kvCheckpointStore(kv).load();
    expect(checkpointAtKill === null || checkpointAtKill < atKill!).toBe(true);

    // Another holder: it must wait out the dead one's lease, then finish the job.
    await appendEvents(writer, 200);
    const second = child(path, 'relay-second', 100);
    await until(async () => (await tailPosition(nc)) === (await writer.head()), 25_000);
    await until(async () => (await kvCheckpointStore(kv).load()) === (await writer.head()));
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));

    expectSameLog(await allPublished(nc), await allStored(writer));
    await nc.close();
    await writer.close();
  }, 60_000);
});
