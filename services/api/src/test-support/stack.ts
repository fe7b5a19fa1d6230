import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type Plan,
  type RecordedEvent,
  createLedgerProjection,
  getPlan,
  isUnitEvent,
} from '@nhagiao/domain';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { createIngestor } from '@nhagiao/ingest';
import {
  type ReadModelStore,
  type UnitEventRecord,
  openSqliteReadModel,
} from '@nhagiao/readmodels';
import type { FastifyInstance } from 'fastify';
import { type KeyStore, openKeyStore } from '../keys/key-store.js';
import type { ApiLimits } from '../ports.js';
import { type SqliteQuarantineOptions, openSqliteQuarantine } from '../quarantine.js';
import { buildServer } from '../server.js';

const PROJECTION = 'ledger';

/**
 * Keeps a read model caught up with the store in process, as the embedded mode
 * does: every event after the checkpoint, projected and written with it.
 */
export const catchUp = (store: EventStore, readModel: ReadModelStore, plan: Plan) => {
  const projection = createLedgerProjection(plan.indicators);
  return async (): Promise<void> => {
    const after = await readModel.checkpoint(PROJECTION);
    const events: RecordedEvent[] = [];
    for await (const e of store.readAll(after === null ? {} : { after })) events.push(e);
    const last = events[events.length - 1];
    if (last === undefined) return;
    await readModel.applyBatch({
      projection: PROJECTION,
      after,
      checkpoint: last.position,
      rows: events.flatMap((e) => projection.project(e)),
      unitEvents: events.filter((e) => isUnitEvent(e)) as unknown as UnitEventRecord[],
      positions: events.map((e) => ({ position: e.position, recordedAt: e.recordedAt })),
    });
  };
};

export interface Stack {
  readonly dir: string;
  readonly app: FastifyInstance;
  readonly store: EventStore;
  readonly readModel: ReadModelStore;
  readonly keys: KeyStore;
  readonly plan: Plan;
  readonly logged: object[];
  /** Closes another server on the same files first, when the stack closes. */
  closeAlso(app: FastifyInstance): void;
  close(): Promise<void>;
}

/** The whole API on real SQLite files in a fresh temporary directory. */
export const openStack = async (
  limits?: ApiLimits,
  quarantineOptions?: SqliteQuarantineOptions,
): Promise<Stack> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-api-'));
  const plan = getPlan('bac-kan-423-2024');
  if (plan === undefined) throw new Error('plan bac-kan-423-2024 is not registered');
  const store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
  const readModel = await openSqliteReadModel(path.join(dir, 'readmodel.sqlite'));
  const keys = openKeyStore(path.join(dir, 'keys.sqlite'));
  const quarantine = openSqliteQuarantine(path.join(dir, 'quarantine.sqlite'), quarantineOptions);
  const logged: object[] = [];
  const others: FastifyInstance[] = [];
  const app = await buildServer({
    store,
    readModel,
    ingestor: createIngestor({ store, quarantine }),
    quarantine,
    keys,
    plan,
    afterAppend: catchUp(store, readModel, plan),
    today: () => '2025-12-31',
    logger: { info: () => {}, warn: () => {}, error: (obj) => logged.push(obj) },
    ...(limits === undefined ? {} : { limits }),
  });
  return {
    dir,
    app,
    store,
    readModel,
    keys,
    plan,
    logged,
    closeAlso: (other) => others.push(other),
    async close() {
      for (const other of others) await other.close();
      await app.close();
      await store.close();
      await readModel.close();
      keys.close();
      quarantine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
