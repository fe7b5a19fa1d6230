import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreLockedError, StoreUnavailableError } from '../errors.js';
import { collect, completions, registered } from '../conformance/fixtures.js';
import { openSqliteEventStore } from './sqlite-event-store.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nhagiao-es-'));
  path = join(dir, 'events.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('SQLite event store', () => {
  it('keeps what was appended after close and reopen', async () => {
    const store = openSqliteEventStore(path);
    const events = [registered('t1', 'Nông Thị Xuân'), ...completions('t1', 3)];
    const r = await store.append('teacher-t1', events, 'no-stream');
    await store.close();
    const reopened = openSqliteEventStore(path);
    const read = await collect(reopened.readAll());
    expect(read.map((e) => [e.id, e.position, e.revision])).toEqual(
      r.outcomes.map((o) => [o.id, o.position, o.revision]),
    );
    expect(await reopened.head()).toBe(r.outcomes[3]?.position);
    const next = await reopened.append('teacher-t1', completions('t1', 1), 3n);
    expect(next.outcomes[0]?.position).toBeGreaterThan(r.outcomes[3]?.position as bigint);
    await reopened.close();
  });

  it('stamps recordedAt from its clock and never lets it go backwards, across reopen', async () => {
    let now = new Date('2025-08-24T16:59:59.123Z');
    const clock = (): Date => now;
    const store = openSqliteEventStore(path, { clock });
    await store.append('teacher-t1', [registered('t1')], 'no-stream');
    now = new Date('2025-08-24T10:00:00.000Z');
    await store.append('teacher-t1', completions('t1', 1), 'exists');
    await store.close();
    const reopened = openSqliteEventStore(path, { clock });
    await reopened.append('teacher-t1', completions('t1', 1), 'exists');
    now = new Date('2025-08-25T01:00:00.000Z');
    await reopened.append('teacher-t1', completions('t1', 1), 'exists');
    const times = (await collect(reopened.readAll())).map((e) => e.recordedAt);
    expect(times).toEqual([
      '2025-08-24T16:59:59.123Z',
      '2025-08-24T16:59:59.123Z',
      '2025-08-24T16:59:59.123Z',
      '2025-08-25T01:00:00.000Z',
    ]);
    await reopened.close();
  });

  it('refuses a second writer in the same process until the first closes', async () => {
    const store = openSqliteEventStore(path);
    expect(() => openSqliteEventStore(path)).toThrow(StoreLockedError);
    await store.close();
    const again = openSqliteEventStore(path);
    await again.close();
  });

  it('lets a read-only store read while the writer is open, and refuses its appends', async () => {
    const writer = openSqliteEventStore(path);
    await writer.append('teacher-t1', [registered('t1')], 'no-stream');
    const reader = openSqliteEventStore(path, { readOnly: true });
    expect((await collect(reader.readStream('teacher-t1'))).map((e) => e.type)).toEqual([
      'TeacherRegistered',
    ]);
    await writer.append('teacher-t1', completions('t1', 1), 'exists');
    expect(await collect(reader.readAll())).toHaveLength(2);
    await expect(reader.append('teacher-t1', completions('t1', 1), 'any')).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await reader.close();
    await writer.close();
  });

  it('refuses to open a missing file read-only, and refuses calls once closed', async () => {
    expect(() => openSqliteEventStore(path, { readOnly: true })).toThrow(StoreUnavailableError);
    const store = openSqliteEventStore(path);
    await store.close();
    await expect(store.append('teacher-t1', [registered('t1')], 'any')).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(store.head()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('reads across page boundaries without losing or repeating an event', async () => {
    const store = openSqliteEventStore(path, { pageSize: 7 });
    const events = completions('t1', 50);
    await store.append('teacher-t1', events, 'no-stream');
    expect((await collect(store.readAll())).map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect((await collect(store.readStream('teacher-t1'))).map((e) => e.id)).toEqual(
      events.map((e) => e.id),
    );
    const live: string[] = [];
    for await (const m of store.subscribe()) {
      if (m.kind === 'event') live.push(m.event.id);
      else break;
    }
    expect(live).toEqual(events.map((e) => e.id));
    await store.close();
  });

  it('leaves no timer behind once a subscription is aborted or broken out of', async () => {
    const store = openSqliteEventStore(path, { pollIntervalMs: 60_000 });
    await store.append('teacher-t1', [registered('t1')], 'no-stream');
    const baseline = timers();
    const controller = new AbortController();
    const iterator = store.subscribe({ signal: controller.signal })[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ kind: 'event' });
    expect((await iterator.next()).value).toMatchObject({ kind: 'caught-up' });
    const waiting = iterator.next();
    expect(timers()).toBe(baseline + 1);
    controller.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(timers()).toBe(baseline);

    for await (const m of store.subscribe()) {
      if (m.kind === 'caught-up') {
        await store.append('teacher-t1', completions('t1', 1), 'exists');
      } else if (m.event.revision === 1n) break;
    }
    expect(timers()).toBe(baseline);
    await store.close();
  });

  it('wakes a live subscription at once on an append in this process', async () => {
    const store = openSqliteEventStore(path, { pollIntervalMs: 60_000 });
    const started = Date.now();
    let append: Promise<unknown> = Promise.resolve();
    for await (const m of store.subscribe()) {
      if (m.kind === 'event') break;
      // Appended once the subscription waits, so only the in-process wake-up can deliver it in time.
      const timer = setTimeout(() => {
        append = store.append('teacher-t1', [registered('t1')], 'any');
      }, 30);
      timer.unref();
    }
    await append;
    expect(Date.now() - started).toBeLessThan(1000);
    await store.close();
  });

  it('ends a waiting subscription when the store is closed', async () => {
    const store = openSqliteEventStore(path, { pollIntervalMs: 60_000 });
    const messages: string[] = [];
    const done = (async () => {
      for await (const m of store.subscribe()) messages.push(m.kind);
    })();
    while (messages.length === 0) await new Promise((r) => setTimeout(r, 5));
    await store.close();
    await done;
    expect(messages).toEqual(['caught-up']);
  });
  it('keeps appends and reads from outside an open unit of work out of it', async () => {
    const store = openSqliteEventStore(path);
    const inside = registered('t1');
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const work = store.transaction?.(async () => {
      await store.append('teacher-t1', [inside], 'no-stream');
      await gate;
      throw new Error('the submission is rejected');
    });
    await new Promise((r) => setTimeout(r, 10));
    // Another caller meanwhile: it must neither see the uncommitted event …
    expect(await collect(store.readStream('teacher-t1'))).toEqual([]);
    expect(await store.findEvent('teacher-t1', inside.id)).toBeUndefined();
    // … nor have its own append rolled back with the work.
    const outside = registered('t2');
    let acknowledged = false;
    const append = store.append('teacher-t2', [outside], 'no-stream').then((r) => {
      acknowledged = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(acknowledged).toBe(false);
    release();
    await expect(work).rejects.toThrow('the submission is rejected');
    expect((await append).outcomes[0]?.status).toBe('appended');
    expect((await collect(store.readAll())).map((e) => e.id)).toEqual([outside.id]);
    await store.close();
  });
});
