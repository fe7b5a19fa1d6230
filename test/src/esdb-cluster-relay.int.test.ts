import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@nhagiao/bus';
import { type TestNatsServer, startNatsServer } from '@nhagiao/bus/test-support';
import { type EventStore, openEsdbEventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { LEDGER_PROJECTION, catchUp, projectCommand } from '@nhagiao/projector';
import { openPostgresReadModel, openSqliteReadModel } from '@nhagiao/readmodels';
import { relayCommand } from '@nhagiao/relay';
// The protocol double is test support of the eventstore package, outside its exports.
import {
  type EsdbCluster,
  startEsdbCluster,
} from '../../packages/eventstore/test-support/esdb-double/index.js';
import { indicators, ingestInto, snapshotOf, waitFor } from './support/fixture.js';
import { createDatabase } from './support/postgres.js';
import { type Template, prepareTemplate } from './support/stack.js';

/**
 * The relay on a 3-node EventStoreDB cluster (protocol doubles): the leader is
 * changed, then killed, while the relay passes `$all` on to JetStream and a
 * writer goes on importing. The projector behind NATS must end with the SQLite
 * path's figures and the same ledger as a direct replay of the log: every
 * event passed on once, in order.
 */

let template: Template;
let cluster: EsdbCluster;
let nats: TestNatsServer;
let db: { url: string; drop(): Promise<void> };
let dir: string;

const eventIds = async (store: EventStore): Promise<{ id: string; position: bigint }[]> => {
  const out: { id: string; position: bigint }[] = [];
  try {
    for await (const e of store.readAll()) out.push({ id: e.id, position: e.position });
  } finally {
    await store.close();
  }
  return out;
};

beforeAll(async () => {
  template = await prepareTemplate(150);
  dir = await mkdtemp(join(tmpdir(), 'nhagiao-e2e-esdb-cluster-'));
  cluster = await startEsdbCluster({ nodes: 3 });
  nats = await startNatsServer();
  db = await createDatabase('esdbcluster');
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
  await nats?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
  if (template) await rm(template.dir, { recursive: true, force: true });
});

test('leader changed, then killed, under the relay: the projector ends with the SQLite path’s figures, each event once', async () => {
  const retry = { initialDelayMs: 20, maxDelayMs: 200, giveUpAfterMs: 20_000 };
  const half = Math.floor(template.envelopes.length / 2);
  const writer = openEsdbEventStore(cluster.url, { retry });
  const ctl = new AbortController();
  const relayStore = openEsdbEventStore(cluster.url, { retry, resubscribe: retry });
  const readModel = await openPostgresReadModel(db.url);
  const relay = relayCommand({
    store: relayStore,
    natsUrl: nats.url,
    logger: silentLogger,
    signal: ctl.signal,
    tuning: { leaseTtlMs: 1_000, retryDelayMs: 100, checkpointIntervalMs: 100 },
  });
  const projector = (async () => {
    const rm = await openPostgresReadModel(db.url);
    try {
      await projectCommand({
        natsUrl: nats.url,
        readModel: rm,
        indicators,
        durableName: 'projector-esdb-cluster',
        logger: silentLogger,
        signal: ctl.signal,
        tuning: { ackWaitMs: 1_500, batchSize: 500 },
      });
    } finally {
      await rm.close();
    }
  })();
  try {
    expect(await ingestInto(writer, template.envelopes.slice(0, half))).toBe(half);
    const firstHead = (await writer.head()) as bigint;
    await waitFor(
      'projector at the first half',
      async () => ((await readModel.checkpoint(LEDGER_PROJECTION)) ?? -1n) >= firstHead,
      60_000,
    );
    cluster.changeLeader();
    const rest = template.envelopes.slice(half);
    const quarter = Math.floor(rest.length / 2);
    expect(await ingestInto(writer, rest.slice(0, quarter))).toBe(quarter);
    await cluster.killLeader();
    expect(await ingestInto(writer, rest.slice(quarter))).toBe(rest.length - quarter);

    const esdbLog = await eventIds(openEsdbEventStore(cluster.url));
    const sqliteLog = await eventIds(openSqliteEventStore(template.storePath, { readOnly: true }));
    expect(esdbLog.map((e) => e.id)).toEqual(sqliteLog.map((e) => e.id));
    const esdbKnownAt =
      esdbLog[sqliteLog.findIndex((e) => e.position === template.knownAt)]?.position ?? -1n;
    const esdbHead = esdbLog.at(-1)?.position ?? -1n;
    await waitFor(
      'projector at the EventStoreDB head',
      async () => (await readModel.checkpoint(LEDGER_PROJECTION)) === esdbHead,
      60_000,
    );
    const production = await snapshotOf(readModel, esdbKnownAt);
    expect(production.figures).toEqual(template.reference.figures);
    const direct = await openSqliteReadModel(join(dir, 'direct.sqlite'));
    const store = openEsdbEventStore(cluster.url);
    try {
      await catchUp({ store, readModel: direct, indicators });
      expect(production.digest).toBe(await direct.digest());
    } finally {
      await store.close();
      await direct.close();
    }
  } finally {
    ctl.abort();
    await Promise.allSettled([relay, projector]);
    await writer.close();
    await relayStore.close();
    await readModel.close();
  }
}, 180_000);
