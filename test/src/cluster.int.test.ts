import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EVENTS_STREAM, type Logger, silentLogger } from '@nhagiao/bus';
import { type TestNatsCluster, startNatsCluster, connect } from '@nhagiao/bus/test-support';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import {
  LEDGER_PROJECTION,
  projectCommand,
  projectorStatus,
  statusProblems,
} from '@nhagiao/projector';
import { type ReadModelStore, openPostgresReadModel } from '@nhagiao/readmodels';
import { relayCommand } from '@nhagiao/relay';
import { type Child, killChildren, spawnChild } from './support/children.js';
import {
  datasetEnvelopes,
  embeddedSnapshot,
  indicators,
  ingestInto,
  snapshotOf,
  waitFor,
} from './support/fixture.js';
import { type PostgresInstance, startPostgresInstance } from './support/pg-instance.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';

// The production pipeline on a 3-node JetStream cluster (R3 stream, R3 lease
// buckets) and a PostgreSQL server of the test's own, with faults injected
// while events flow. After each: the figures and the digest equal the embedded
// replay of the same store, and `status` finds nothing wrong.
const TEACHERS = 80;
const CHUNKS = 8;
const LEASE_TTL_MS = 1_000;

/** Logs to stderr with NHAGIAO_TEST_LOG=1, for a look at what a fault did. */
const debugLogger = (role: string): Logger =>
  process.env['NHAGIAO_TEST_LOG'] === '1'
    ? {
        info: (m, f) => process.stderr.write(`${Date.now()} ${role} ${m} ${JSON.stringify(f)}\n`),
        warn: (m, f) =>
          process.stderr.write(`${Date.now()} ${role} WARN ${m} ${JSON.stringify(f)}\n`),
        error: (m, f) =>
          process.stderr.write(`${Date.now()} ${role} ERROR ${m} ${JSON.stringify(f)}\n`),
      }
    : silentLogger;

let dir: string;
let postgres: PostgresInstance;
const envelopes = datasetEnvelopes(TEACHERS);
const recoveries: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nhagiao-cluster-e2e-'));
  postgres = await startPostgresInstance();
}, 60_000);

afterEach(() => killChildren());

afterAll(async () => {
  await postgres?.stop();
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(`recovery after each fault:\n${recoveries.join('\n')}\n`);
});

interface Scenario {
  readonly cluster: TestNatsCluster;
  readonly pgUrl: string;
  readonly storePath: string;
  readonly readModel: ReadModelStore;
  projector(durable: string): () => Promise<void>;
  childProjector(durable: string): Child;
}

let counter = 0;

/**
 * Runs the pipeline over a fresh cluster, database and store: a relay and
 * (unless `projectors` says otherwise) one projector in this process, the
 * dataset appended in chunks; `fault` runs once a quarter of it is in.
 */
const scenario = async (
  label: string,
  fault: (s: Scenario) => Promise<void>,
  options: {
    readonly projectors?: (s: Scenario) => void;
    /** Awaited once the read model is at the head, before the comparison. */
    readonly settled?: () => Promise<unknown>;
  } = {},
): Promise<void> => {
  counter += 1;
  const cluster = await startNatsCluster();
  const pgUrl = await postgres.createDatabase(label);
  const storePath = join(dir, `${label}-${counter}.sqlite`);
  await openSqliteEventStore(storePath).close();
  const readModel = await openPostgresReadModel(pgUrl);
  const stops: (() => Promise<void>)[] = [];
  const background = (start: (signal: AbortSignal) => Promise<unknown>): (() => Promise<void>) => {
    const ctl = new AbortController();
    const running = start(ctl.signal);
    const stop = async (): Promise<void> => {
      ctl.abort();
      await running;
    };
    stops.push(stop);
    return stop;
  };
  const s: Scenario = {
    cluster,
    pgUrl,
    storePath,
    readModel,
    projector: (durable) =>
      background(async (signal) => {
        const rm = await openPostgresReadModel(pgUrl);
        try {
          await projectCommand({
            natsUrl: cluster.url,
            readModel: rm,
            indicators,
            durableName: durable,
            logger: debugLogger('project'),
            signal,
            progressIntervalMs: 0,
            tuning: {
              leaseTtlMs: LEASE_TTL_MS,
              replicas: 3,
              ackWaitMs: 2_000,
              batchSize: 100,
            },
          });
        } finally {
          await rm.close();
        }
      }),
    childProjector: (durable) =>
      spawnChild('projector-child.ts', [cluster.url, pgUrl, durable, '20', '2000', '1000', '3']),
  };
  try {
    background(async (signal) => {
      const store = openSqliteEventStore(storePath, { readOnly: true, pollIntervalMs: 10 });
      try {
        await relayCommand({
          store,
          natsUrl: cluster.url,
          logger: debugLogger('relay'),
          signal,
          progressIntervalMs: 0,
          tuning: {
            leaseTtlMs: LEASE_TTL_MS,
            replicas: 3,
            retryDelayMs: 100,
            checkpointIntervalMs: 100,
          },
        });
      } finally {
        await store.close();
      }
    });
    if (options.projectors === undefined) s.projector('projector');
    else options.projectors(s);

    const writer = openSqliteEventStore(storePath);
    const checkpoint = () => readModel.checkpoint(LEDGER_PROJECTION);
    let head: bigint;
    try {
      const size = Math.ceil(envelopes.length / CHUNKS);
      for (let i = 0; i < CHUNKS; i++) {
        await ingestInto(writer, envelopes.slice(i * size, (i + 1) * size));
        if (i === 1) {
          // Caught up, then the fault, then new events at once: recovered when
          // they are committed.
          const before = (await writer.head()) ?? 0n;
          await waitFor(
            'caught up before the fault',
            async () => (await checkpoint()) === before,
            60_000,
          );
          const at = performance.now();
          if (process.env['NHAGIAO_TEST_LOG'] === '1')
            process.stderr.write(`${Date.now()} FAULT\n`);
          await fault(s);
          const faultMs = performance.now() - at;
          await ingestInto(writer, envelopes.slice((i + 1) * size, (i + 2) * size));
          i += 1;
          const after = (await writer.head()) ?? 0n;
          await waitFor(
            'the events after the fault committed',
            async () => (await checkpoint()) === after,
            60_000,
          );
          recoveries.push(
            `  ${label}: events appended after the fault committed ${Math.round(performance.now() - at)} ms after it began (the fault itself took ${Math.round(faultMs)} ms)`,
          );
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      head = (await writer.head()) ?? 0n;
    } finally {
      await writer.close();
    }
    const caughtUpFrom = performance.now();
    await waitFor(
      'the read model at the store head',
      async () => (await readModel.checkpoint(LEDGER_PROJECTION)) === head,
      60_000,
    );
    recoveries.push(
      `  ${label}: at the head ${Math.round(performance.now() - caughtUpFrom)} ms after the last append`,
    );
    await options.settled?.();
    // Whatever else runs had time to write what it must not.
    await new Promise((r) => setTimeout(r, 1_500));
    const clean = await embeddedSnapshot(storePath, dir, head / 2n);
    expect(await snapshotOf(readModel, head / 2n)).toEqual(clean);

    const store = openSqliteEventStore(storePath, { readOnly: true });
    const nc = await connect({ servers: cluster.url.split(',') });
    try {
      // A node just resumed may still be rejoining: JetStream answers 503 meanwhile.
      let status: Awaited<ReturnType<typeof projectorStatus>> | undefined;
      await waitFor(
        'status answered',
        async () => {
          status = await projectorStatus({ store, readModel, nc, indicators }).catch(
            () => undefined,
          );
          return status !== undefined;
        },
        30_000,
      );
      if (status === undefined) throw new Error('status did not answer');
      expect(statusProblems(status, { maxLag: 0n })).toEqual([]);
      expect(status.stream).toMatchObject({ name: EVENTS_STREAM, messages: Number(head) });
    } finally {
      await nc.close();
      await store.close();
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    killChildren();
    await readModel.close();
    await cluster.stop();
  }
};

test('kill -9 of the stream leader', async () => {
  await scenario('killleader', async (s) => {
    const leader = await s.cluster.streamLeader(EVENTS_STREAM);
    expect(leader).not.toBeNull();
    await s.cluster.kill9(leader!);
    // Back later, as a supervisor would restart it; the others carry on meanwhile.
    setTimeout(() => void s.cluster.start(leader!), 3_000);
  });
}, 120_000);

test('a node stopped (SIGSTOP) past the election timeout, then continued', async () => {
  await scenario('pausenode', async (s) => {
    const leader = await s.cluster.streamLeader(EVENTS_STREAM);
    expect(leader).not.toBeNull();
    s.cluster.pause(leader!);
    setTimeout(() => s.cluster.resume(leader!), 8_000);
  });
}, 120_000);

test('PostgreSQL restarted under the projector', async () => {
  await scenario('pgrestart', async () => {
    await postgres.restart({ downMs: 500 });
  });
}, 120_000);

test('two projectors with different consumer names from the start', async () => {
  await scenario('twonames', async () => undefined, {
    projectors: (s) => {
      s.projector('first');
      s.projector('second');
    },
  });
}, 120_000);

test('a projector paused (SIGSTOP) and resumed after the other moved on', async () => {
  let paused: Child | undefined;
  let resumed: Promise<unknown> = Promise.resolve();
  await scenario(
    'zombie',
    async (s) => {
      const holder = paused!;
      holder.signal('SIGSTOP');
      const other = s.childProjector('projector');
      await other.waitForLine((l) => l['message'] === 'lease held', 30_000);
      // Woken up once the other has committed what is appended next.
      resumed = other
        .waitForLine((l) => l['message'] === 'flushed', 30_000)
        .then(() => holder.signal('SIGCONT'))
        .then(() =>
          holder.waitForLine(
            (l) => l['message'] === 'standing by' || l['message'] === 'refused',
            30_000,
          ),
        );
    },
    {
      projectors: (s) => {
        paused = s.childProjector('projector');
      },
      settled: () => resumed,
    },
  );
}, 180_000);
