import { randomUUID } from 'node:crypto';
import type { Envelope, RecordedEvent } from '@nhagiao/domain';
import { StoreUnavailableError } from '../../src/errors.js';
import { openEsdbEventStore } from '../../src/esdb/index.js';
import type { EventStore } from '../../src/port.js';
import {
  type EsdbDouble,
  type SelfSignedTls,
  secureUrl,
  selfSignedTls,
  startEsdbDouble,
} from './index.js';

const completed = (teacherId: string, i: number, padding = ''): Envelope => ({
  id: randomUUID(),
  type: 'CourseCompleted',
  data: { teacherId, programmeId: `p-${i}${padding}`, completedOn: '2025-05-12' },
});
const newTeacher = () => `cf-${randomUUID().slice(0, 12)}`;
const quick = { initialDelayMs: 20, maxDelayMs: 100, giveUpAfterMs: 5_000 };

/** Everything each test started, stopped after it. */
const started: Array<{ close(): Promise<void> } | EsdbDouble> = [];
afterEach(async () => {
  for (const s of started.splice(0).reverse()) {
    await ('stop' in s ? s.stop() : s.close());
  }
});
const open = (url: string, retry = quick): EventStore => {
  const store = openEsdbEventStore(url, { retry, resubscribe: quick });
  started.push(store);
  return store;
};
const double = async (options: Parameters<typeof startEsdbDouble>[0] = {}) => {
  const d = await startEsdbDouble(options);
  started.push(d);
  return d;
};

describe('EventStoreDB adapter against a secure node (credentials over TLS)', () => {
  let tls: SelfSignedTls;
  beforeAll(() => {
    tls = selfSignedTls();
  });
  afterAll(() => tls.cleanup());
  const url = (d: EsdbDouble, userinfo: string) =>
    secureUrl(d.port, tls.caFile, userinfo === '' ? undefined : userinfo.replace(/@$/, ''));

  it('works with the right credentials in the connection string', async () => {
    const d = await double({ tls, auth: 'nhagiao:s3cret' });
    const store = open(url(d, 'nhagiao:s3cret@'));
    const t = newTeacher();
    const r = await store.append(`teacher-${t}`, [completed(t, 0)], 'no-stream');
    expect(await store.head()).toBe(r.outcomes[0]?.position);
  });

  it.each([
    ['wrong credentials', 'nhagiao:wrong@'],
    ['no credentials', ''],
  ])('fails at once with %s, saying how to fix it, without retrying', async (_, userinfo) => {
    const d = await double({ tls, auth: 'nhagiao:s3cret' });
    // A retry would take the whole minute: the error must come well before.
    const store = open(url(d, userinfo), { ...quick, giveUpAfterMs: 60_000 });
    const t = newTeacher();
    const began = Date.now();
    const error = await store.append(`teacher-${t}`, [completed(t, 0)], 'any').catch((e) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toMatch(/access denied/);
    expect(error.message).toMatch(/esdb:\/\/USER:PASSWORD@host/);
    expect(error.message).toMatch(/read \$all/);
    await expect(store.head()).rejects.toThrow(/access denied/);
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(d.log.events.some((e) => e.stream === `teacher-${t}`)).toBe(false);
  });
});

describe('EventStoreDB subscriptions under faults (protocol double)', () => {
  it('logs each drop and reopening, and gives up with an error once the node stays away', async () => {
    const d = await double();
    const logged: string[] = [];
    const store = openEsdbEventStore(d.url, {
      retry: quick,
      resubscribe: { initialDelayMs: 20, maxDelayMs: 50, giveUpAfterMs: 400 },
      logger: { warn: (message) => void logged.push(message) },
    });
    started.push(store);
    const t = newTeacher();
    await store.append(`teacher-${t}`, [completed(t, 0)], 'no-stream');
    const seen: string[] = [];
    const done = (async () => {
      for await (const m of store.subscribe()) if (m.kind === 'event') seen.push(m.event.id);
    })().catch((e: unknown) => e);
    const waitFor = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(check()).toBe(true);
    };
    await waitFor(() => seen.length === 1);
    expect(d.dropSubscriptions()).toBe(1);
    await waitFor(() => logged.includes('EventStoreDB subscription reopened'));
    expect(logged).toContain('EventStoreDB subscription failed; resubscribing');
    await d.stop();
    const began = Date.now();
    const error = await done;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(logged.at(-1)).toBe('EventStoreDB subscription failed; giving up');
  });
});

describe('EventStoreDB adapter in a cluster (protocol doubles)', () => {
  it('steps the server clock back on demand (double), so created is earlier than before', async () => {
    const d = await double();
    const store = open(d.url);
    const t = newTeacher();
    await store.append(`teacher-${t}`, [completed(t, 0)], 'no-stream');
    d.log.stepClockBack(60_000);
    await store.append(`teacher-${t}`, [completed(t, 1)], 0n);
    const created = d.log.events
      .filter((e) => e.stream === `teacher-${t}`)
      .map((e) => BigInt(e.created));
    expect(created).toHaveLength(2);
    // .NET ticks: 10,000 per millisecond.
    expect((created[0] as bigint) - (created[1] as bigint)).toBeGreaterThan(50_000n * 10_000n);
  });

  it('keeps recordedAt monotone across a server clock stepped back, the server time beside it, the same on every read path: known-at by time stays right', async () => {
    const d = await double();
    const store = open(d.url);
    const t = newTeacher();
    const stream = `teacher-${t}`;
    const a = await store.append(stream, [completed(t, 0), completed(t, 1)], 'no-stream');
    await new Promise((r) => setTimeout(r, 30));
    d.log.stepClockBack(1_000);
    const b = await store.append(stream, [completed(t, 2), completed(t, 3)], 1n);
    const read: RecordedEvent[] = [];
    for await (const e of store.readAll()) if (e.stream === stream) read.push(e);
    // .NET ticks since the Unix epoch: 10,000 per millisecond.
    const serverTimes = d.log.events
      .filter((e) => e.stream === stream)
      .map((e) => new Date(Number(BigInt(e.created) / 10_000n)).toISOString());
    expect((serverTimes[2] as string) < (serverTimes[1] as string)).toBe(true);
    const times = read.map((e) => e.recordedAt);
    expect(times).toEqual([...times].sort());
    expect(times[2]).toBe(times[1]);
    expect(read.map((e) => e.metadata.serverRecordedAt)).toEqual([
      undefined,
      undefined,
      serverTimes[2],
      serverTimes[3],
    ]);
    // Known at the stepped-back server's time of the last event, before the first
    // append was recorded: nothing of the stream was known yet, and none is taken.
    const knownAt = (stamps: readonly string[], time: string): bigint | undefined =>
      read.filter((_, i) => (stamps[i] as string) <= time).at(-1)?.position;
    const time = serverTimes[3] as string;
    expect(time < (times[0] as string)).toBe(true);
    expect(knownAt(times, time)).toBeUndefined();
    // The server's own stamps would take the whole stream, the first append included.
    expect(knownAt(serverTimes, time)).toBe(b.outcomes[1]?.position);
    // Known at the first append's time: a prefix of the log, whatever the stamps.
    expect(knownAt(times, times[0] as string)).toBe(b.outcomes[1]?.position);
    // Every path gives the same times, also when it starts after the step.
    const sub: RecordedEvent[] = [];
    for await (const m of store.subscribe({ after: a.outcomes[1]?.position as bigint })) {
      if (m.kind === 'caught-up') break;
      if (m.event.stream === stream) sub.push(m.event);
    }
    expect(sub).toEqual(read.slice(2));
    const esdb = store as ReturnType<typeof openEsdbEventStore>;
    const paged: RecordedEvent[] = [];
    for await (const page of esdb.readAllBatches({ after: a.outcomes[0]?.position as bigint }))
      paged.push(...page.filter((e) => e.stream === stream));
    expect(paged).toEqual(read.slice(1));
    expect(await store.readAt?.(b.outcomes[0]?.position as bigint)).toEqual(read[2]);
  });

  it('refuses a $all read from inside a record, as the server does; readAt finds by exact position', async () => {
    const d = await double();
    const store = open(d.url);
    const t = newTeacher();
    const r = await store.append(`teacher-${t}`, [completed(t, 0), completed(t, 1)], 'no-stream');
    const second = r.outcomes[1]?.position as bigint;
    // What an audit lookup used to do: read after position - 1, a byte inside the first record.
    await expect(
      (async () => {
        for await (const _ of store.readAll({ after: second - 1n })) break;
      })(),
    ).rejects.toThrow(/Invalid position/);
    expect((await store.readAt?.(second))?.id).toBe(r.outcomes[1]?.id);
    expect(await store.readAt?.(second - 1n)).toBeUndefined();
  });

  it('follows the leader a follower names, for appends and reads', async () => {
    const leader = await double();
    const follower = await double({ systemEvents: false });
    follower.followLeader(leader.port);
    const store = open(follower.url);
    const t = newTeacher();
    const r = await store.append(`teacher-${t}`, [completed(t, 0), completed(t, 1)], 'no-stream');
    expect(r.nextExpected).toBe(1n);
    expect(leader.log.events.filter((e) => e.stream === `teacher-${t}`)).toHaveLength(2);
    expect(follower.log.events).toHaveLength(0);
    const read = [];
    for await (const e of store.readStream(`teacher-${t}`)) read.push(e.id);
    expect(read).toEqual(r.outcomes.map((o) => o.id));
  });

  it('retries an append while the node is briefly away, writing it once', async () => {
    const d = await double();
    const store = open(d.url);
    const t = newTeacher();
    await store.append(`teacher-${t}`, [completed(t, 0)], 'no-stream');
    await d.stop();
    setTimeout(() => void d.start(), 300);
    const r = await store.append(`teacher-${t}`, [completed(t, 1)], 0n);
    expect(r.outcomes[0]?.status).toBe('appended');
    expect(d.log.events.filter((e) => e.stream === `teacher-${t}`)).toHaveLength(2);
  });

  it('gives up on a node that stays away after the configured time', async () => {
    const d = await double();
    const store = open(d.url, { ...quick, giveUpAfterMs: 300 });
    await d.stop();
    const began = Date.now();
    await expect(store.head()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - began).toBeLessThan(3_000);
  });

  it.each([
    ['BatchAppend', true],
    ['Append', false],
  ])(
    'refuses one stream batch over the 1 MiB append limit (%s) with a clear error, storing none of it',
    async (_, batchAppend) => {
      const d = await double(batchAppend ? {} : { serverFeatures: false });
      const store = open(d.url);
      const t = newTeacher();
      const half = 'x'.repeat(600 * 1024);
      const error = await store
        .append(`teacher-${t}`, [completed(t, 0, half), completed(t, 1, half)], 'no-stream')
        .catch((e) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error.message).toMatch(/append limit of 1048576 bytes/);
      expect(error.message).toMatch(/Send fewer or smaller events per call/);
      expect(d.log.events.some((e) => e.stream === `teacher-${t}`)).toBe(false);
      // Each half alone is under the limit.
      await store.append(`teacher-${t}`, [completed(t, 0, half)], 'no-stream');
    },
  );
});
