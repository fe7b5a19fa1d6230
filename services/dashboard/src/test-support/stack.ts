import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type KeyStore, buildServer, openKeyStore } from '@nhagiao/api';
import {
  type Envelope,
  type Plan,
  type RecordedEvent,
  createLedgerProjection,
  getPlan,
  isUnitEvent,
} from '@nhagiao/domain';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { type Ingestor, createIngestor, fileQuarantine } from '@nhagiao/ingest';
import {
  type ReadModelStore,
  type UnitEventRecord,
  openSqliteReadModel,
} from '@nhagiao/readmodels';
import type { FastifyInstance } from 'fastify';
import { dashboardPlugin } from '../plugin.js';

export const PLAN_ID = 'bac-kan-423-2024';

export interface Stack {
  /** The data directory: events.sqlite and readmodel.sqlite, as `nhagiao --data-dir` reads them. */
  readonly dir: string;
  readonly app: FastifyInstance;
  readonly address: string;
  readonly keys: KeyStore;
  readonly plan: Plan;
  /** Appends envelopes as the API would and catches the read model up. */
  ingest(envelopes: readonly Envelope[]): Promise<void>;
  close(): Promise<void>;
}

/** Keeps the read model caught up with the store in process, as the embedded mode does. */
const catchUp = (store: EventStore, readModel: ReadModelStore, plan: Plan) => {
  const projection = createLedgerProjection(plan.indicators);
  return async (): Promise<void> => {
    const after = await readModel.checkpoint('ledger');
    const events: RecordedEvent[] = [];
    for await (const e of store.readAll(after === null ? {} : { after })) events.push(e);
    const last = events[events.length - 1];
    if (last === undefined) return;
    await readModel.applyBatch({
      projection: 'ledger',
      after,
      checkpoint: last.position,
      rows: events.flatMap((e) => projection.project(e)),
      unitEvents: events.filter((e) => isUnitEvent(e)) as unknown as UnitEventRecord[],
      positions: events.map((e) => ({ position: e.position, recordedAt: e.recordedAt })),
    });
  };
};

/** The API on SQLite files in a temporary directory, with the dashboard registered on it, listening on loopback. */
export const openStack = async (options: {
  /** Routes a test adds before the server listens. */
  readonly beforeListen?: (app: FastifyInstance) => void;
}): Promise<Stack> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-dashboard-'));
  const plan = getPlan(PLAN_ID);
  if (plan === undefined) throw new Error(`plan ${PLAN_ID} is not registered`);
  const store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
  const readModel = await openSqliteReadModel(path.join(dir, 'readmodel.sqlite'));
  const keys = openKeyStore(path.join(dir, 'keys.sqlite'));
  const quarantine = fileQuarantine(path.join(dir, 'quarantine.ndjson'));
  const ingestor: Ingestor = createIngestor({ store, quarantine });
  const afterAppend = catchUp(store, readModel, plan);
  const app = await buildServer({
    store,
    readModel,
    ingestor,
    quarantine,
    keys,
    plan,
    afterAppend,
    today: () => '2025-12-31',
    // The browser test makes many small reads; the default per-key limit is for integrators.
    limits: { requestsPerWindow: 100_000 },
  });
  await app.register(dashboardPlugin, {
    keys,
    planId: PLAN_ID,
  });
  options.beforeListen?.(app);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    dir,
    app,
    address,
    keys,
    plan,
    async ingest(envelopes) {
      const report = await ingestor.ingest(
        envelopes.map((value, i) => ({ line: i + 1, value })),
        { source: 'dashboard test', keepOutcomes: false },
      );
      if (report.rejected > 0) throw new Error(`${report.rejected} test events were rejected`);
      await afterAppend();
    },
    async close() {
      await app.close();
      await store.close();
      await readModel.close();
      keys.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
