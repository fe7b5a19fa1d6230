import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateDataset } from '@nhagiao/dataset';
import { type Envelope, type RecordedEvent, bacKan423of2024 } from '@nhagiao/domain';
import { type EventStore, type SqliteEventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { arrayItems, createIngestor } from '@nhagiao/ingest';
import { type ReadModelStore, openSqliteReadModel } from '@nhagiao/readmodels';
import { type ReplayResult, catchUp, runReplay } from './catch-up.js';
import type { StateWrites } from './ledger-applier.js';
import { digestInWorker, replayInParallel } from './parallel-replay.js';
import {
  type ParallelOptions,
  type ReplayPlan,
  type ReplayRequest,
  type ShardableStore,
  planReplay,
  teacherReadable,
} from './replay-plan.js';
import { replayByTeacher } from './teacher-replay.js';
import { replayForVerify } from './verify-replay.js';

const indicators = bacKan423of2024.indicators;

let dir: string;
let store: SqliteEventStore;
let later: Envelope[];
let events: RecordedEvent[];

/** Everything a replay writes that a reader or a resumed projection sees. */
const snapshot = async (rm: ReadModelStore, instants: readonly string[]) => ({
  digest: await rm.digest(),
  checkpoint: await rm.checkpoint('ledger'),
  teachers: await rm.teacherStates(),
  programmes: [...(await rm.programmeStates())],
  units: await rm.unitEvents(),
  positions: await Promise.all(instants.map((t) => rm.positionAt(t))),
  figures: await rm.figures({ indicators, asOf: '2026-06-30', by: 'unit' }),
  // Each row with its recording time, looked up in the position stamps.
  history: await rm.history({ indicators, indicator: 'master-or-above', scope: 'province' }),
});

/** The store, as a replay by teacher takes it (the SQLite store reads in pages). */
const pages = () => teacherReadable(store)!;

/**
 * A replay into an empty read model as a rebuild makes it: states at the end,
 * by the plan `byTeacher` gives (absent: position order); the plan's kind is checked.
 */
const replayEmpty = async (
  readModel: ReadModelStore,
  expected: ReplayPlan['kind'],
  options: {
    readonly byTeacher?: ParallelOptions;
    readonly batchSize?: number;
    readonly onProgress?: (done: number) => void;
    readonly signal?: AbortSignal;
  } = {},
): Promise<ReplayResult> => {
  const { byTeacher, ...rest } = options;
  const plan = await planReplay({ store, readModel, ...(byTeacher ? { byTeacher } : {}) });
  expect(plan.kind).toBe(expected);
  return runReplay(plan, {
    store,
    readModel,
    indicators,
    states: 'at-end',
    buildIndexes: true,
    ...rest,
  });
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nhagiao-parallel-'));
  store = openSqliteEventStore(join(dir, 'events.sqlite'));
  const all = [...generateDataset({ teachers: 400, seed: 11 })];
  // The last tenth arrives after the first replay, to check that the projection goes on from it.
  // The topic correction, which the dataset makes last, is kept in the first part.
  const cut = Math.floor(all.length * 0.9);
  const corrections = all.slice(cut).filter((e) => e.type === 'ProgrammeTopicsCorrected');
  later = all.slice(cut).filter((e) => e.type !== 'ProgrammeTopicsCorrected');
  const first = [...all.slice(0, cut), ...corrections];
  const report = await createIngestor({ store }).ingest(arrayItems(first), {
    source: 'dataset',
    mode: 'partial',
    keepOutcomes: false,
  });
  expect(report.appended).toBeGreaterThan(3000);
  events = [];
  for await (const e of store.readAll()) events.push(e);
  // The dataset has what crosses teachers: a programme's topics corrected after completions.
  expect(events.some((e) => e.type === 'ProgrammeTopicsCorrected')).toBe(true);
  expect(events.some((e) => e.type === 'EventRetracted')).toBe(true);
}, 60_000);

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

test('a replay in several processes writes what one thread writes, and the projection goes on from it', async () => {
  const instants = [...new Set(events.map((e) => e.recordedAt))].slice(0, 5);
  const single = await openSqliteReadModel(join(dir, 'single.sqlite'));
  const one = await replayEmpty(single, 'position-order');
  const inProcess = await openSqliteReadModel(join(dir, 'in-process.sqlite'));
  // One worker and no other work on this thread: the teacher-by-teacher replay runs here.
  const here = await replayEmpty(inProcess, 'by-teacher', {
    batchSize: 300,
    byTeacher: { workers: 1, minEvents: 0 },
  });
  expect(here.shardPeakRssMb).toBeUndefined();
  expect(here.applied).toBe(events.length);
  const parallel = await openSqliteReadModel(join(dir, 'parallel.sqlite'));
  const progress: number[] = [];
  const many = await replayEmpty(parallel, 'parallel', {
    batchSize: 500,
    byTeacher: { workers: 3, minEvents: 0 },
    onProgress: (done) => progress.push(done),
  });
  expect(many.applied).toBe(events.length);
  expect(one.applied).toBe(events.length);
  expect(many.checkpoint).toBe(events[events.length - 1]!.position);
  // Each worker process reports its own peak memory.
  expect(many.shardPeakRssMb).toHaveLength(3);
  expect(one.shardPeakRssMb).toBeUndefined();
  const reference = await snapshot(single, instants);
  expect(await snapshot(parallel, instants)).toEqual(reference);
  expect(await snapshot(inProcess, instants)).toEqual(reference);
  expect(progress.length).toBeGreaterThan(0);

  const more = await createIngestor({ store }).ingest(arrayItems(later), {
    source: 'later',
    mode: 'partial',
    keepOutcomes: false,
  });
  expect(more.appended).toBeGreaterThan(100);
  await catchUp({ store, readModel: single, indicators });
  await catchUp({ store, readModel: parallel, indicators });
  await catchUp({ store, readModel: inProcess, indicators });
  const after = await snapshot(single, instants);
  expect(await snapshot(parallel, instants)).toEqual(after);
  expect(await snapshot(inProcess, instants)).toEqual(after);
  await single.close();
  await parallel.close();
  await inProcess.close();
}, 120_000);

test('a teacher-by-teacher replay writes what a replay in position order writes, whatever its pages, batches and end, and sets no checkpoint', async () => {
  const instants = [...new Set(events.map((e) => e.recordedAt))].slice(0, 8);
  const last = events[events.length - 1]!.position;
  // Before and after the topic correction, which the replay must merge into its completers' streams.
  const early = events[Math.floor(events.length * 0.8)]!.position;
  // Stamps kept for every recording time, or for so few that the replay reads the log again for them.
  expect(new Set(events.map((e) => e.recordedAt)).size).toBeGreaterThan(1);
  for (const [pageSize, batchSize, until, stampsKept] of [
    [7, 50, last, undefined],
    [1, 1, early, undefined],
    [5000, 100_000, last, undefined],
    [100, 500, last, 1],
    [100, 500, early, 0],
  ] as const) {
    const name = `${pageSize}-${until}-${stampsKept ?? 'all'}`;
    const reference = await openSqliteReadModel(join(dir, `by-position-${name}.sqlite`));
    await catchUp({ store, readModel: reference, indicators, until });
    const expected = { ...(await snapshot(reference, instants)), checkpoint: null };
    await reference.close();
    const target = await openSqliteReadModel(join(dir, `by-teacher-${name}.sqlite`));
    const progress: number[] = [];
    const taken = await replayByTeacher({
      store: pages(),
      readModel: target,
      indicators,
      until,
      pageSize,
      batchSize,
      ...(stampsKept === undefined ? {} : { stampsKept }),
      onProgress: (n) => void progress.push(n),
    });
    expect(taken).toBe(events.filter((e) => e.position <= until).length);
    expect(progress[progress.length - 1]).toBe(taken);
    expect(await snapshot(target, instants)).toEqual(expected);
    await target.close();
  }
}, 60_000);

test('the shards of a teacher replay, with stamps kept or read again, write together what one replay writes', async () => {
  const instants = [...new Set(events.map((e) => e.recordedAt))].slice(0, 8);
  const until = events[events.length - 1]!.position;
  const reference = await openSqliteReadModel(join(dir, 'shards-reference.sqlite'));
  await catchUp({ store, readModel: reference, indicators, until });
  const expected = await snapshot(reference, instants);
  await reference.close();
  for (const stampsKept of [undefined, 0, 1]) {
    const target = await openSqliteReadModel(join(dir, `shards-${stampsKept ?? 'all'}.sqlite`));
    let taken = 0;
    const cuts = await store.splitStreams('teacher-', 3);
    const ranges = [{ to: cuts[0]! }, { from: cuts[0]!, to: cuts[1]! }, { from: cuts[1]! }];
    // The last range first and the records last: nothing depends on the order shards write in.
    for (const index of [2, 1, 0])
      taken += await replayByTeacher({
        store: pages(),
        readModel: target,
        indicators,
        until,
        teachers: ranges[index]!,
        writesContext: index === 0,
        batchSize: 400,
        ...(stampsKept === undefined ? {} : { stampsKept }),
      });
    expect(taken).toBe(events.length);
    await target.setCheckpoint('ledger', until);
    expect(await snapshot(target, instants)).toEqual(expected);
    await target.close();
  }
}, 60_000);

test('a write behind the projection that fails fails the replay; an aborted replay returns only once its write has ended', async () => {
  const until = events[events.length - 1]!.position;
  const target = await openSqliteReadModel(join(dir, 'write-behind.sqlite'));
  // The lock grants a turn only later, as the parent of shards does: meanwhile teachers are projected.
  const later = <T>(write: () => Promise<T>): Promise<T> =>
    new Promise((resolve, reject) => setTimeout(() => write().then(resolve, reject), 5));
  let calls = 0;
  const failing: ReadModelStore = Object.create(target, {
    applyBulk: {
      value: async (batch: Parameters<ReadModelStore['applyBulk']>[0]) => {
        calls += 1;
        if (calls === 2) throw new Error('disk full');
        return target.applyBulk(batch);
      },
    },
  });
  await expect(
    replayByTeacher({
      store: pages(),
      readModel: failing,
      indicators,
      until,
      batchSize: 200,
      writeLock: later,
    }),
  ).rejects.toThrow('disk full');
  // Stopped at the next batch: the failure was not left behind while the replay went on.
  expect(calls).toBe(2);

  const controller = new AbortController();
  let writing = 0;
  let started = 0;
  const slow = <T>(write: () => Promise<T>): Promise<T> => {
    started += 1;
    writing += 1;
    controller.abort();
    return new Promise((resolve, reject) =>
      setTimeout(
        () =>
          write()
            .then(resolve, reject)
            .finally(() => (writing -= 1)),
        50,
      ),
    );
  };
  await target.reset();
  await replayByTeacher({
    store: pages(),
    readModel: target,
    indicators,
    until,
    batchSize: 200,
    writeLock: slow,
    signal: controller.signal,
  });
  // It stops after the page in hand (1,000 events) and its writes, not at the end of the log.
  expect(started).toBeGreaterThanOrEqual(1);
  expect(started).toBeLessThanOrEqual(1000 / 200 + 1);
  expect(events.length / 200).toBeGreaterThan(10);
  // And none of them is still going on.
  expect(writing).toBe(0);
  await target.close();
}, 60_000);

test('digestInWorker gives the digest the read model gives in this process, or says why not', async () => {
  const readModel = await openSqliteReadModel(join(dir, 'digested.sqlite'));
  await catchUp({ store, readModel, indicators });
  const here = await readModel.digest();
  expect(await digestInWorker(readModel)).toBe(here);
  // A tampered ledger row changes both alike.
  const file = new Database(join(dir, 'digested.v1.sqlite'));
  file.prepare('update ledger set d_num = d_num + 1 where rowid = 1').run();
  file.close();
  const tampered = await readModel.digest();
  expect(tampered).not.toBe(here);
  expect(await digestInWorker(readModel)).toBe(tampered);
  const gone = {
    ...readModel,
    location: { ...readModel.location, path: join(dir, 'no', 'such.sqlite') },
  };
  await expect(digestInWorker(gone)).rejects.toThrow(/the digest of read model v1 failed: .+/);
  await readModel.close();
}, 60_000);

test('a shard that fails fails the replay, with its reason, and leaves no ledger checkpoint', async () => {
  const target = await openSqliteReadModel(join(dir, 'failing.sqlite'));
  const missing: ShardableStore = {
    ...(store as ShardableStore),
    location: { kind: 'sqlite' as const, path: join(dir, 'no-such.sqlite') },
  };
  await expect(
    replayInParallel({
      plan: {
        kind: 'parallel',
        store: missing,
        readModel: { kind: 'sqlite', path: join(dir, 'failing.sqlite'), version: 'v1' },
        until: events[events.length - 1]!.position,
        workers: 2,
      },
      readModel: target,
      indicators,
      batchSize: 500,
      states: 'at-end',
    }),
  ).rejects.toThrow(/no-such\.sqlite/);
  expect(await target.checkpoint('ledger')).toBeNull();
  await target.close();
}, 60_000);

/**
 * A replay in `workers` processes (one: on this thread), in batches of 200
 * events, aborted at the `abortAt`-th progress report.
 */
const abortedReplay = async (
  target: ReadModelStore,
  abortAt: number,
  workers = 2,
): Promise<AbortSignal> => {
  const controller = new AbortController();
  let reports = 0;
  await replayEmpty(target, workers > 1 ? 'parallel' : 'by-teacher', {
    byTeacher: { workers, minEvents: 0 },
    signal: controller.signal,
    onProgress: () => {
      reports += 1;
      if (reports === abortAt) controller.abort();
    },
    batchSize: 200,
  });
  return controller.signal;
};

test('an aborted replay stops its processes and leaves no ledger checkpoint', async () => {
  const target = await openSqliteReadModel(join(dir, 'aborted.sqlite'));
  expect((await abortedReplay(target, 1)).aborted).toBe(true);
  expect(await target.checkpoint('ledger')).toBeNull();
  await target.close();
}, 60_000);

test('an aborted replay on this thread, teacher by teacher, leaves no ledger checkpoint', async () => {
  const target = await openSqliteReadModel(join(dir, 'aborted-here.sqlite'));
  expect((await abortedReplay(target, 1, 1)).aborted).toBe(true);
  expect(await target.checkpoint('ledger')).toBeNull();
  await target.close();
}, 60_000);

test('a catch-up stops at `until`, reading in batches or, without them, event by event', async () => {
  const until = events[Math.floor(events.length / 2)]!.position;
  const upTo = events.filter((e) => e.position <= until).length;
  const batched = await openSqliteReadModel(join(dir, 'until-batched.sqlite'));
  const unbatched = await openSqliteReadModel(join(dir, 'until-unbatched.sqlite'));
  // The same store without batch reads, as EventStoreDB is.
  const { readAllBatches: _batches, ...plain } = store;
  for (const [readModel, from] of [
    [batched, store],
    [unbatched, plain],
  ] as const satisfies readonly (readonly [ReadModelStore, EventStore])[]) {
    const result = await catchUp({ store: from, readModel, indicators, until });
    expect(result.applied).toBe(upTo);
    expect(await readModel.checkpoint('ledger')).toBe(until);
  }
  expect(await unbatched.digest()).toBe(await batched.digest());
  await batched.close();
  await unbatched.close();
});

test("verify's replay writes the same ledger, unit events and stamps, and no state, whatever its plan", async () => {
  const until = events[events.length - 1]!.position;
  const instants = [...new Set(events.map((e) => e.recordedAt))].slice(0, 8);
  const reference = await openSqliteReadModel(join(dir, 'states-reference.sqlite'));
  await catchUp({ store, readModel: reference, indicators, until });
  const { teachers, programmes, ...expected } = await snapshot(reference, instants);
  expect(teachers.length).toBeGreaterThan(300);
  expect(programmes.length).toBeGreaterThan(0);
  await reference.close();
  const { readStreamBatches: _streams, ...positionOrder } = store;
  let seen = 0;
  for (const [name, from, byTeacher, kind] of [
    ['three processes', store, { workers: 3, minEvents: 0 }, 'parallel'],
    ['teacher by teacher here', store, { workers: 1 }, 'by-teacher'],
    ['a store without stream pages', positionOrder, { workers: 3, minEvents: 0 }, 'position-order'],
    ['position order, each event seen', store, undefined, 'position-order'],
  ] as const) {
    const target = await openSqliteReadModel(
      join(dir, `no-states-${name.replace(/[ ,]+/g, '-')}.sqlite`),
    );
    const planned = await planReplay({
      store: from,
      readModel: target,
      until,
      ...(byTeacher === undefined ? {} : { byTeacher }),
    });
    expect({ name, kind: planned.kind }).toEqual({ name, kind });
    const plan: ReplayPlan =
      byTeacher === undefined ? { kind: 'position-order', onEvent: () => (seen += 1) } : planned;
    await replayForVerify({ store: from, readModel: target, indicators, until, plan });
    const {
      teachers: noTeachers,
      programmes: noProgrammes,
      ...got
    } = await snapshot(target, instants);
    expect({ name, ...got }).toEqual({ name, ...expected });
    expect({ name, noTeachers, noProgrammes }).toEqual({ name, noTeachers: [], noProgrammes: [] });
    await target.close();
  }
  expect(seen).toBe(events.length);
}, 60_000);

test('planReplay: teacher by teacher only into an empty read model, in processes only between SQLite files and past minEvents', async () => {
  const head = (await store.head())!;
  const sqliteAt = { kind: 'sqlite' as const, path: join(dir, 'planned.sqlite'), version: 'v1' };
  const empty: ReplayRequest['readModel'] = {
    version: 'v1',
    location: sqliteAt,
    checkpoint: async () => null,
  };
  const kind = async (
    readModel: ReplayRequest['readModel'],
    byTeacher: ParallelOptions | undefined,
    from: EventStore = store,
  ) =>
    (
      await planReplay({
        store: from,
        readModel,
        ...(byTeacher === undefined ? {} : { byTeacher }),
      })
    ).kind;
  const many = { workers: 3, minEvents: 0 };
  expect(await kind(empty, undefined)).toBe('position-order');
  expect(await kind(empty, many)).toBe('parallel');
  // A read model with a checkpoint goes on in position order, whatever is allowed.
  expect(await kind({ ...empty, checkpoint: async () => head }, many)).toBe('position-order');
  // Workers open the read model as a file: PostgreSQL is replayed by teacher here.
  const postgresAt = { kind: 'postgres' as const, url: 'postgres://db/x', version: 'v1' };
  expect(await kind({ ...empty, location: postgresAt }, many)).toBe('by-teacher');
  // A log shorter than minEvents, or one worker with nothing else to do: this thread.
  expect(await kind(empty, { workers: 3, minEvents: Number(head) + 1 })).toBe('by-teacher');
  expect(await kind(empty, { workers: 1, minEvents: 0 })).toBe('by-teacher');
  // One worker beside a busy thread (verify) is worth it.
  expect(await kind(empty, { workers: 1, minEvents: 0, besideThisThread: true })).toBe('parallel');
  // A store without stream pages (EventStoreDB): position order.
  const { readStreamBatches: _streams, ...plain } = store;
  expect(await kind(empty, many, plain)).toBe('position-order');
  const parallel = await planReplay({ store, readModel: empty, until: 5n, byTeacher: many });
  expect(parallel).toMatchObject({ kind: 'parallel', until: 5n, workers: 3, readModel: sqliteAt });
});

test('the combinations a replay cannot follow do not type-check', () => {
  const readModel = {} as ReadModelStore;
  const states = (s: StateWrites) => s;
  // Each call below is never made: the test is that tsc refuses each line marked.
  const unmade = (): unknown[] => [
    runReplay(
      { kind: 'position-order' },
      // @ts-expect-error writing no states needs an end: nothing can be applied after it
      { store, readModel, indicators, states: states('none'), buildIndexes: true },
    ),
    {
      kind: 'by-teacher',
      store: pages(),
      until: 1n,
      // @ts-expect-error an observer sees every event in position order, never teacher by teacher
      onEvent: () => undefined,
    } satisfies ReplayPlan,
    {
      kind: 'parallel',
      // @ts-expect-error a replay in processes needs a store that other processes can open
      store: pages(),
      readModel: { kind: 'sqlite', path: 'rm.sqlite', version: 'v1' },
      until: 1n,
      workers: 2,
    } satisfies ReplayPlan,
    {
      kind: 'parallel',
      store: store as ShardableStore,
      // @ts-expect-error the workers open the read model as a file: SQLite only
      readModel: { kind: 'postgres', url: 'postgres://db', version: 'v1' },
      until: 1n,
      workers: 2,
    } satisfies ReplayPlan,
    // @ts-expect-error verify's replay says where it ends
    replayForVerify({ store, readModel, indicators, plan: { kind: 'position-order' } }),
  ];
  expect(typeof unmade).toBe('function');
});

test("verify's replay leaves the ledger index to the caller; the figures are the same before and after", async () => {
  const indexed = await openSqliteReadModel(join(dir, 'indexed.sqlite'));
  const bare = await openSqliteReadModel(join(dir, 'bare.sqlite'));
  const bareFile = join(dir, 'bare.v1.sqlite');
  const hasIndex = (): boolean => {
    const db = new Database(bareFile, { readonly: true });
    const found = db
      .prepare("select 1 from sqlite_master where type = 'index' and name = 'ledger_by_key'")
      .get();
    db.close();
    return found !== undefined;
  };
  try {
    await replayEmpty(indexed, 'parallel', { byTeacher: { workers: 2, minEvents: 0 } });
    const until = (await store.head())!;
    const plan = await planReplay({
      store,
      readModel: bare,
      until,
      byTeacher: { workers: 2, minEvents: 0 },
    });
    expect(plan.kind).toBe('parallel');
    await replayForVerify({ store, readModel: bare, indicators, until, plan });
    expect(hasIndex()).toBe(false);
    const instants = [...new Set(events.map((e) => e.recordedAt))].slice(0, 3);
    // Verify's replay writes no states: everything else is the same.
    const ledgerOf = async (rm: ReadModelStore) => {
      const { teachers: _t, programmes: _p, ...rest } = await snapshot(rm, instants);
      return rest;
    };
    expect(await ledgerOf(bare)).toEqual(await ledgerOf(indexed));
    await bare.buildIndexes();
    expect(hasIndex()).toBe(true);
    expect(await ledgerOf(bare)).toEqual(await ledgerOf(indexed));
  } finally {
    await indexed.close();
    await bare.close();
  }
}, 60_000);

test('a parallel replay that died leaves nothing the next one counts twice, whatever its number of workers', async () => {
  const instants = [...new Set(events.map((e) => e.recordedAt))].slice(0, 3);
  const reference = await openSqliteReadModel(join(dir, 'reference.sqlite'));
  await catchUp({ store, readModel: reference, indicators });
  const target = await openSqliteReadModel(join(dir, 'died.sqlite'));
  try {
    // Shards commit a few batches (rows and their teachers' states), then the replay dies.
    expect((await abortedReplay(target, 6)).aborted).toBe(true);
    const written = (await target.teacherStates()).length;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan((await reference.teacherStates()).length);
    expect(await target.checkpoint('ledger')).toBeNull();
    await replayEmpty(target, 'parallel', { byTeacher: { workers: 3, minEvents: 0 } });
    expect(await snapshot(target, instants)).toEqual(await snapshot(reference, instants));
  } finally {
    await reference.close();
    await target.close();
  }
}, 60_000);
