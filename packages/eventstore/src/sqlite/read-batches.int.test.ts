import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@nhagiao/domain';
import { collect, completions, registered } from '../conformance/fixtures.js';
import { compareNames, inStreamRange } from '../port.js';
import { openSqliteEventStore } from './sqlite-event-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nhagiao-es-batches-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pagesOf = async (pages: AsyncIterable<readonly RecordedEvent[]>) => {
  const out: (readonly RecordedEvent[])[] = [];
  for await (const page of pages) out.push(page);
  return out;
};

describe('SQLite readAllBatches', () => {
  it('gives exactly what readAll gives, in pages of at most pageSize, from any position', async () => {
    const store = openSqliteEventStore(join(dir, 'events.db'));
    await store.append(
      'teacher-t1',
      [registered('t1', 'Hoàng Thị Ngọc Ánh'), ...completions('t1', 6)],
      'no-stream',
    );
    await store.append('teacher-t2', [registered('t2'), ...completions('t2', 4)], 'no-stream');
    const all = await collect(store.readAll());
    expect(all).toHaveLength(12);

    const pages = await pagesOf(store.readAllBatches!({ pageSize: 5 }));
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    // Same events, field for field (positions and revisions bigint, data and metadata parsed).
    expect(pages.flat()).toEqual(all);

    const after = all[6]!.position;
    const rest = await pagesOf(store.readAllBatches!({ after, pageSize: 5 }));
    expect(rest.flat()).toEqual(all.slice(7));
    // A log that is a whole number of pages ends without an empty page.
    expect((await pagesOf(store.readAllBatches!({ pageSize: 4 }))).map((p) => p.length)).toEqual([
      4, 4, 4,
    ]);
    await store.close();
  });

  it('stops quietly when aborted and reads an empty store as no page', async () => {
    const store = openSqliteEventStore(join(dir, 'events.db'));
    expect(await pagesOf(store.readAllBatches!())).toEqual([]);
    await store.append('teacher-t1', [registered('t1'), ...completions('t1', 9)], 'no-stream');
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const page of store.readAllBatches!({ pageSize: 3, signal: controller.signal })) {
      seen.push(page.length);
      controller.abort();
    }
    expect(seen).toEqual([3]);
    await store.close();
  });

  it('bounds by until and can leave metadata out', async () => {
    const store = openSqliteEventStore(join(dir, 'events.db'));
    for (const id of ['t1', 't2', 't3', 'gv-ă'])
      await store.append(`teacher-${id}`, [registered(id), ...completions(id, 2)], 'no-stream');
    const all = await collect(store.readAll());
    const until = all[9]!.position;
    expect((await pagesOf(store.readAllBatches!({ until, pageSize: 4 }))).flat()).toEqual(
      all.slice(0, 10),
    );
    const bare = (await pagesOf(store.readAllBatches!({ metadata: false }))).flat();
    expect(bare.map(({ metadata: _m, ...rest }) => rest)).toEqual(
      all.map(({ metadata: _m, ...rest }) => rest),
    );
    expect(bare.every((e) => Object.keys(e.metadata).length === 0)).toBe(true);
    await store.close();
  });

  it('filters by type inside SQLite, with the other filters and across pages', async () => {
    const store = openSqliteEventStore(join(dir, 'events.db'));
    for (const id of ['t1', 't2', 't3', 't4'])
      await store.append(`teacher-${id}`, [registered(id), ...completions(id, 3)], 'no-stream');
    const all = await collect(store.readAll());
    const read = async (options: Parameters<NonNullable<typeof store.readAllBatches>>[0]) =>
      (await pagesOf(store.readAllBatches!({ pageSize: 2, ...options }))).flat();

    const registrations = all.filter((e) => e.type === 'TeacherRegistered');
    expect(registrations).toHaveLength(4);
    expect(await read({ types: ['TeacherRegistered'] })).toEqual(registrations);
    expect(await read({ types: ['CourseCompleted', 'TeacherRegistered'] })).toEqual(all);
    expect(await read({ types: ['NoSuchType'] })).toEqual([]);
    expect(await read({ types: [] })).toEqual([]);
    const until = registrations[2]!.position;
    expect(await read({ types: ['TeacherRegistered'], until })).toEqual(registrations.slice(0, 3));
    expect(await read({ types: ['TeacherRegistered'], after: registrations[0]!.position })).toEqual(
      registrations.slice(1),
    );
    await store.close();
  });
});

describe('SQLite readStreamBatches', () => {
  it('gives the streams of a prefix one after another, each in revision order, across pages', async () => {
    const store = openSqliteEventStore(join(dir, 'events.db'));
    // Streams written interleaved and out of name order, and streams outside the prefix.
    const ids = ['t2', 'gv-ă', 't1', 'gv-𝔸', 't10'];
    for (const id of ids) await store.append(`teacher-${id}`, [registered(id)], 'no-stream');
    await store.append('teachers-x', [registered('x')], 'no-stream');
    await store.append('unit-u1', [registered('u')], 'no-stream');
    for (const id of [...ids].reverse())
      await store.append(`teacher-${id}`, completions(id, 3), 0n);
    await store.append('teacher.', [registered('dot')], 'no-stream');
    const all = await collect(store.readAll());
    const ours = all.filter((e) => e.stream.startsWith('teacher-'));
    // SQLite compares text as UTF-8 bytes, which orders code points as code points do.
    const byStream = [...ours].sort((a, b) =>
      a.stream === b.stream
        ? Number(a.revision - b.revision)
        : Buffer.compare(Buffer.from(a.stream), Buffer.from(b.stream)),
    );
    expect(byStream.map((e) => e.position)).not.toEqual(ours.map((e) => e.position));
    const read = async (
      options: Partial<Parameters<NonNullable<typeof store.readStreamBatches>>[0]>,
    ) => pagesOf(store.readStreamBatches!({ prefix: 'teacher-', ...options }));

    for (const pageSize of [1, 3, 4, 100]) {
      const pages = await read({ pageSize });
      expect(pages.every((p) => p.length > 0 && p.length <= pageSize)).toBe(true);
      expect(pages.flat()).toEqual(byStream);
    }
    // A range: from its start (included) to its end (left out), in code-point order,
    // never beyond the prefix; open ends run to the prefix's.
    for (const range of [
      { from: 'teacher-t1', to: 'teacher-t2' },
      { from: 'teacher-gv-ă' },
      { to: 'teacher-gv-𝔸' },
      { from: 'teacher-gv-𝔸', to: 'teacher-t10' },
      { from: 'a', to: 'z' },
      { from: 'teacher-t2', to: 'teacher-t1' },
    ])
      expect((await read({ pageSize: 2, range })).flat()).toEqual(
        byStream.filter((e) => inStreamRange(e.stream, range)),
      );
    expect((await read({ range: { from: 'teacher-t1', to: 'teacher-t2' } })).flat()).toEqual(
      byStream.filter((e) => e.stream === 'teacher-t1' || e.stream === 'teacher-t10'),
    );
    expect((await read({ range: { from: 'teacher-t2', to: 'teacher-t1' } })).flat()).toEqual([]);
    const until = ours[8]!.position;
    expect((await read({ pageSize: 2, until })).flat()).toEqual(
      byStream.filter((e) => e.position <= until),
    );
    const bare = (await read({ metadata: false })).flat();
    expect(bare.map(({ metadata: _m, ...rest }) => rest)).toEqual(
      byStream.map(({ metadata: _m, ...rest }) => rest),
    );
    expect((await read({ prefix: 'unit-' })).flat()).toEqual(
      all.filter((e) => e.stream === 'unit-u1'),
    );
    expect((await read({ prefix: 'programme-' })).flat()).toEqual([]);
    await expect(read({ prefix: '' })).rejects.toThrow('a stream prefix cannot be empty');
    // Aborted after the first page: no other page is read.
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const page of store.readStreamBatches!({
      prefix: 'teacher-',
      pageSize: 2,
      signal: controller.signal,
    })) {
      seen.push(page.length);
      controller.abort();
    }
    expect(seen).toEqual([2]);
    await store.close();
  });
});

describe('compareNames', () => {
  it('orders names by code point, as SQLite orders UTF-8 text', () => {
    const names = [
      '',
      'a',
      'ab',
      'b',
      'ă',
      '\u{e000}',
      '\u{ffff}',
      '𝔸',
      '𝔸a',
      '\u{10ffff}',
      'teacher-',
    ];
    for (const a of names)
      for (const b of names)
        expect(Math.sign(compareNames(a, b))).toBe(
          Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
        );
  });
});

describe('SQLite splitStreams', () => {
  it('cuts the streams of a prefix into ranges of about as many events, never inside a stream', async () => {
    const store = openSqliteEventStore(join(dir, 'events.db'));
    // 40 teachers with 1 to 10 events each, written interleaved, beside other streams.
    const ids = Array.from(
      { length: 40 },
      (_, i) => `gv-${String((i * 17) % 40).padStart(2, '0')}`,
    );
    for (const [i, id] of ids.entries())
      await store.append(
        `teacher-${id}`,
        [registered(id), ...completions(id, i % 10)],
        'no-stream',
      );
    await store.append('unit-u1', [registered('u')], 'no-stream');
    await store.append('teacher.', [registered('dot')], 'no-stream');
    const teacherEvents = (await collect(store.readAll())).filter((e) =>
      e.stream.startsWith('teacher-'),
    );
    const byStream = (await pagesOf(store.readStreamBatches!({ prefix: 'teacher-' }))).flat();
    for (const parts of [1, 2, 3, 7]) {
      const cuts = await store.splitStreams!('teacher-', parts);
      expect(cuts).toHaveLength(parts - 1);
      const ranges = Array.from({ length: parts }, (_, i) => ({
        ...(i === 0 ? {} : { from: cuts[i - 1] }),
        ...(i === parts - 1 ? {} : { to: cuts[i] }),
      }));
      const read = await Promise.all(
        ranges.map(async (range) =>
          (await pagesOf(store.readStreamBatches!({ prefix: 'teacher-', range }))).flat(),
        ),
      );
      // Together, every teacher event once, in stream order; each stream in one range.
      expect(read.flat()).toEqual(byStream);
      const rangeOf = new Map<string, number>();
      read.forEach((events, i) => {
        for (const e of events) expect(rangeOf.get(e.stream) ?? i).toBe(i);
        for (const e of events) rangeOf.set(e.stream, i);
      });
      // About as many events each: off by at most the longest stream (10 events).
      const share = teacherEvents.length / parts;
      for (const events of read) expect(Math.abs(events.length - share)).toBeLessThanOrEqual(10);
    }
    // Fewer streams than parts: some ranges are empty, nothing is lost.
    const few = openSqliteEventStore(join(dir, 'few.db'));
    await few.append('teacher-a', [registered('a'), ...completions('a', 3)], 'no-stream');
    const cuts = await few.splitStreams!('teacher-', 3);
    expect(cuts).toHaveLength(2);
    const seen = await Promise.all(
      [{ to: cuts[0]! }, { from: cuts[0]!, to: cuts[1]! }, { from: cuts[1]! }].map(
        async (range) =>
          (await pagesOf(few.readStreamBatches!({ prefix: 'teacher-', range }))).flat().length,
      ),
    );
    expect(seen.reduce((a, b) => a + b, 0)).toBe(4);
    expect(await few.splitStreams!('programme-', 2)).toHaveLength(1);
    await expect(few.splitStreams!('teacher-', 0)).rejects.toThrow(
      'cannot split streams into 0 parts',
    );
    await few.close();
    await store.close();
  });
});
