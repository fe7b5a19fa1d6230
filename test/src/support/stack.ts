import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@nhagiao/bus';
import { type TestNatsServer, startNatsServer } from '@nhagiao/bus/test-support';
import type { Envelope } from '@nhagiao/domain';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { LEDGER_PROJECTION, projectCommand } from '@nhagiao/projector';
import { type ReadModelStore, openPostgresReadModel } from '@nhagiao/readmodels';
import { relayCommand } from '@nhagiao/relay';
import { datasetEnvelopes, embeddedSnapshot, indicators, ingestInto } from './fixture.js';
import { createDatabase } from './postgres.js';

/** The dataset imported once per test file, and what the embedded path makes of it. */
export interface Template {
  readonly dir: string;
  readonly storePath: string;
  readonly envelopes: readonly Envelope[];
  readonly head: bigint;
  readonly knownAt: bigint;
  readonly reference: { digest: string; figures: unknown[] };
}

export const prepareTemplate = async (teachers = 150): Promise<Template> => {
  const dir = await mkdtemp(join(tmpdir(), 'nhagiao-e2e-'));
  const storePath = join(dir, 'template.sqlite');
  const envelopes = datasetEnvelopes(teachers);
  const store = openSqliteEventStore(storePath);
  await ingestInto(store, envelopes);
  const head = (await store.head()) ?? 0n;
  await store.close();
  const knownAt = head / 2n;
  return {
    dir,
    storePath,
    envelopes,
    head,
    knownAt,
    reference: await embeddedSnapshot(storePath, dir, knownAt),
  };
};

/** One test's servers: its own nats-server, PostgreSQL database and copy of the store. */
export interface Stack {
  readonly nats: TestNatsServer;
  readonly pgUrl: string;
  readonly storePath: string;
  /** A handle on the PostgreSQL read model, for waiting and comparing. */
  readonly readModel: ReadModelStore;
  checkpoint(): Promise<bigint | null>;
  /** Starts the relay in this process; returns how to stop it. */
  relay(holderId?: string): () => Promise<void>;
  /** Starts a projector in this process; returns how to stop it. */
  projector(durableName?: string): () => Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

export const startStack = async (
  template: Template,
  label: string,
  options: { readonly emptyStore?: boolean } = {},
): Promise<Stack> => {
  counter += 1;
  const storePath = join(template.dir, `${label}-${counter}.sqlite`);
  if (options.emptyStore) await openSqliteEventStore(storePath).close();
  else await copyFile(template.storePath, storePath);
  const nats = await startNatsServer();
  const db = await createDatabase(label);
  const readModel = await openPostgresReadModel(db.url);
  const stoppers = new Set<() => Promise<void>>();
  const background = (start: (signal: AbortSignal) => Promise<unknown>): (() => Promise<void>) => {
    const ctl = new AbortController();
    const running = start(ctl.signal);
    const stop = async (): Promise<void> => {
      stoppers.delete(stop);
      ctl.abort();
      await running;
    };
    stoppers.add(stop);
    return stop;
  };
  return {
    nats,
    pgUrl: db.url,
    storePath,
    readModel,
    checkpoint: () => readModel.checkpoint(LEDGER_PROJECTION),
    relay: (holderId = `relay-${counter}`) =>
      background(async (signal) => {
        const store = openSqliteEventStore(storePath, { readOnly: true, pollIntervalMs: 10 });
        try {
          await relayCommand({
            store,
            natsUrl: nats.url,
            holderId,
            logger: silentLogger,
            signal,
            tuning: { leaseTtlMs: 1_000, retryDelayMs: 100, checkpointIntervalMs: 100 },
          });
        } finally {
          await store.close();
        }
      }),
    projector: (durableName = 'projector-e2e') =>
      background(async (signal) => {
        const rm = await openPostgresReadModel(db.url);
        try {
          await projectCommand({
            natsUrl: nats.url,
            readModel: rm,
            indicators,
            durableName,
            logger: silentLogger,
            signal,
            tuning: { ackWaitMs: 1_500, batchSize: 500 },
          });
        } finally {
          await rm.close();
        }
      }),
    async close() {
      for (const stop of [...stoppers]) await stop().catch(() => undefined);
      await readModel.close();
      await nats.stop();
      await db.drop();
      await rm(storePath, { force: true });
      await rm(`${storePath}-wal`, { force: true });
      await rm(`${storePath}-shm`, { force: true });
    },
  };
};
