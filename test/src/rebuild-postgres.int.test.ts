import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { catchUp, rebuild } from '@nhagiao/projector';
import {
  type ReadModelStore,
  openPostgresReadModel,
  openSqliteReadModel,
} from '@nhagiao/readmodels';
import { datasetEnvelopes, indicators, ingestInto, snapshotOf } from './support/fixture.js';
import { createDatabase } from './support/postgres.js';

/**
 * A rebuild from the SQLite store into a PostgreSQL read model replays one
 * teacher at a time on this thread (worker processes only write SQLite): it
 * must give what the live projection gives in position order, including each
 * history row's recording time and what a projection resumed from it writes.
 */

let dir: string;
let store: EventStore;
let db: { readonly url: string; drop(): Promise<void> };

/** What a reader or a resumed projection sees. */
const everything = async (readModel: ReadModelStore, knownAt: bigint) => ({
  ...(await snapshotOf(readModel, knownAt)),
  checkpoint: await readModel.checkpoint('ledger'),
  teachers: await readModel.teacherStates(),
  programmes: [...(await readModel.programmeStates())],
  units: await readModel.unitEvents(),
  history: await readModel.history({ indicators, indicator: 'master-or-above', scope: 'province' }),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nhagiao-rebuild-pg-'));
  store = openSqliteEventStore(join(dir, 'events.sqlite'));
  db = await createDatabase('rebuild');
}, 60_000);

afterAll(async () => {
  await store?.close();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

test('a rebuild into PostgreSQL gives what the position-order projection gives, and goes on from it', async () => {
  const all = datasetEnvelopes(200, 7);
  const cut = Math.floor(all.length * 0.9);
  // The topic correction (the dataset's last events) before the rebuild: it moves rows of
  // teachers whose last events came long before it.
  const corrections = all.slice(cut).filter((e) => e.type === 'ProgrammeTopicsCorrected');
  expect(corrections.length).toBeGreaterThan(0);
  const later = all.slice(cut).filter((e) => e.type !== 'ProgrammeTopicsCorrected');
  expect(await ingestInto(store, [...all.slice(0, cut), ...corrections])).toBeGreaterThan(1000);
  const knownAt = ((await store.head()) ?? 0n) / 2n;

  const live = await openSqliteReadModel(join(dir, 'live.sqlite'));
  await catchUp({ store, readModel: live, indicators });
  const factory = (version?: string) =>
    openPostgresReadModel(db.url, version === undefined ? {} : { version });
  const result = await rebuild({ store, readModelFactory: factory, indicators });
  expect(result.version).toBe('v2');
  const rebuilt = await factory();
  try {
    expect(rebuilt.version).toBe('v2');
    expect(await everything(rebuilt, knownAt)).toEqual(await everything(live, knownAt));
    expect(
      (
        await rebuilt.history({ indicators, indicator: 'master-or-above', scope: 'province' })
      ).every((r) => r.recordedAt !== null),
    ).toBe(true);

    // Events after the rebuild: both go on in position order from where they are.
    expect(await ingestInto(store, later)).toBeGreaterThan(100);
    await catchUp({ store, readModel: live, indicators });
    await catchUp({ store, readModel: rebuilt, indicators });
    expect(await everything(rebuilt, knownAt)).toEqual(await everything(live, knownAt));
  } finally {
    await rebuilt.close();
    await live.close();
  }
}, 120_000);
