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
  type EsdbDouble,
  startEsdbDouble,
} from '../../packages/eventstore/test-support/esdb-double/index.js';
import { indicators, ingestInto, snapshotOf, waitFor } from './support/fixture.js';
import { createDatabase } from './support/postgres.js';
import { type Template, prepareTemplate } from './support/stack.js';

/**
 * Production mode with EventStoreDB as the system of record, on the protocol
 * double: import → EventStoreDB adapter → relay → NATS JetStream → projector →
 * PostgreSQL. The figures must equal the embedded SQLite path's for the same
 * dataset. Positions differ by design (EventStoreDB's are sparse), so "known
 * at" is taken at the same event on both stores, and the ledger digest (which
 * holds positions) is compared with a direct replay of the same EventStoreDB log.
 */

let template: Template;
let double: EsdbDouble;
let nats: TestNatsServer;
let db: { url: string; drop(): Promise<void> };
let dir: string;

const eventIds = async (store: EventStore): Promise<{ id: string; position: bigint }[]> => {
  const out: { id: string; position: bigint }[] = [];
  for await (const e of store.readAll()) out.push({ id: e.id, position: e.position });
  return out;
};

beforeAll(async () => {
  template = await prepareTemplate(150);
  dir = await mkdtemp(join(tmpdir(), 'nhagiao-e2e-esdb-'));
  double = await startEsdbDouble();
  nats = await startNatsServer();
  db = await createDatabase('esdb');
}, 90_000);

afterAll(async () => {
  await double?.stop();
  await nats?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
  if (template) await rm(template.dir, { recursive: true, force: true });
});

test('EventStoreDB → relay → NATS → projector → PostgreSQL gives the SQLite path’s figures', async () => {
  const writer = openEsdbEventStore(double.url);
  try {
    expect(await ingestInto(writer, template.envelopes)).toBe(template.envelopes.length);
  } finally {
    await writer.close();
  }

  // The same events in the same order on both stores; "known at" is the same event on both.
  const esdbLog = await eventIds(openEsdbEventStore(double.url));
  const sqliteStore = openSqliteEventStore(template.storePath, { readOnly: true });
  const sqliteLog = await eventIds(sqliteStore);
  await sqliteStore.close();
  expect(esdbLog.map((e) => e.id)).toEqual(sqliteLog.map((e) => e.id));
  const cut = sqliteLog.findIndex((e) => e.position === template.knownAt);
  const esdbKnownAt = esdbLog[cut]?.position ?? -1n;
  const esdbHead = esdbLog.at(-1)?.position ?? -1n;
  // EventStoreDB positions are sparse byte offsets, not 1…n as in SQLite.
  expect(esdbHead).toBeGreaterThan(BigInt(esdbLog.length));

  const ctl = new AbortController();
  const relayStore = openEsdbEventStore(double.url);
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
        durableName: 'projector-esdb',
        logger: silentLogger,
        signal: ctl.signal,
        tuning: { ackWaitMs: 1_500, batchSize: 500 },
      });
    } finally {
      await rm.close();
    }
  })();
  try {
    await waitFor(
      'projector at the EventStoreDB head',
      async () => (await readModel.checkpoint(LEDGER_PROJECTION)) === esdbHead,
      60_000,
    );
    const production = await snapshotOf(readModel, esdbKnownAt);
    expect(production.figures).toEqual(template.reference.figures);

    // Through NATS or straight from the log, the same ledger, row for row.
    const direct = await openSqliteReadModel(join(dir, 'direct.sqlite'));
    const store = openEsdbEventStore(double.url);
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
    await relayStore.close();
    await readModel.close();
  }
}, 120_000);
