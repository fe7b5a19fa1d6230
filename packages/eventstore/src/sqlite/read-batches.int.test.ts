import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@nhagiao/domain';
import { collect, completions, registered } from '../conformance/fixtures.js';
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
});
