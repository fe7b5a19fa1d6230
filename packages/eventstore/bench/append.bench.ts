/**
 * Append and read throughput of the SQLite adapter against raw better-sqlite3
 * doing the same work (same schema, WAL, synchronous=FULL, 1,000-row
 * transactions): the gap is the adapter's own cost (idempotency look-ups,
 * revision checks, bigint rows, async iteration).
 *
 *   npx tsx packages/eventstore/bench/append.bench.ts [events=100000] [batch=1000]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope } from '@nhagiao/domain';
import Database from 'better-sqlite3';
import { type StreamWrite, openSqliteEventStore } from '../src/index.js';
import { migrate } from '../src/sqlite/schema.js';

const total = Number(process.argv[2] ?? 100_000);
const batchSize = Number(process.argv[3] ?? 1000);
const streams = 200;

/** ~400 bytes of data + metadata, the size of a typical CourseCompleted with sender metadata. */
const makeEvent = (i: number): Envelope & { stream: string } => {
  const teacherId = `cdbk-${String(i % streams).padStart(4, '0')}`;
  return {
    stream: `teacher-${teacherId}`,
    id: randomUUID(),
    type: 'CourseCompleted',
    data: {
      teacherId,
      programmeId: `bd-2025-chuyen-doi-so-${String(i % 97).padStart(3, '0')}`,
      completedOn: '2025-05-12',
      hours: 40,
      result: 'passed',
    },
    metadata: {
      source: 'moodle.cdbk.edu.vn',
      correlationId: randomUUID(),
      note: 'Hoàn thành khoá bồi dưỡng chuyển đổi số, ứng dụng CNTT trong giảng dạy nghề nghiệp',
      importedFrom: 'moodle-export-2025-05-12.ndjson',
      actor: 'phong-dao-tao.cdbk',
    },
  };
};

const events = Array.from({ length: total }, (_, i) => makeEvent(i));
const avgBytes =
  events.reduce(
    (n, e) => n + JSON.stringify(e.data).length + JSON.stringify(e.metadata).length,
    0,
  ) / total;

const dir = mkdtempSync(join(tmpdir(), 'nhagiao-bench-'));
const rate = (n: number, ms: number): string =>
  `${Math.round((n / ms) * 1000).toLocaleString('en')} events/s`;
const report = (label: string, n: number, ms: number): void => {
  process.stdout.write(
    `${label.padEnd(44)} ${rate(n, ms).padStart(18)}  (${n} in ${ms.toFixed(0)} ms)\n`,
  );
};

const rawAppend = (path: string): void => {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  migrate(db);
  const insert = db.prepare(
    'INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const revisions = new Map<string, number>();
  const write = db.transaction((rows: typeof events) => {
    const at = new Date().toISOString();
    for (const e of rows) {
      const revision = (revisions.get(e.stream) ?? -1) + 1;
      revisions.set(e.stream, revision);
      insert.run(
        e.id,
        e.stream,
        revision,
        e.type,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
        at,
      );
    }
  });
  const t0 = performance.now();
  for (let i = 0; i < total; i += batchSize) write(events.slice(i, i + batchSize));
  report(`raw better-sqlite3 insert, ${batchSize}/txn`, total, performance.now() - t0);

  const t1 = performance.now();
  let n = 0;
  for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as Iterable<{
    data: string;
    metadata: string;
  }>) {
    JSON.parse(row.data);
    JSON.parse(row.metadata);
    n++;
  }
  report('raw better-sqlite3 read + JSON.parse', n, performance.now() - t1);
  db.close();
};

const adapterAppend = async (path: string): Promise<void> => {
  const store = openSqliteEventStore(path);
  const t0 = performance.now();
  for (let i = 0; i < total; i += batchSize) {
    const byStream = new Map<string, Envelope[]>();
    for (const { stream, ...e } of events.slice(i, i + batchSize)) {
      byStream.set(stream, [...(byStream.get(stream) ?? []), e]);
    }
    const writes: StreamWrite[] = [...byStream].map(([stream, es]) => ({
      stream,
      events: es,
      expected: 'any',
    }));
    await store.appendBatch(writes);
  }
  report(`adapter appendBatch, ${batchSize}/call`, total, performance.now() - t0);

  const t1 = performance.now();
  let n = 0;
  for await (const _ of store.readAll()) n++;
  report('adapter readAll (pages of 1000)', n, performance.now() - t1);

  const t2 = performance.now();
  const again = events
    .slice(0, batchSize)
    .map(({ stream, ...e }) => ({ stream, events: [e], expected: 'any' as const }));
  await store.appendBatch(again);
  report(`adapter appendBatch, ${batchSize} duplicates`, batchSize, performance.now() - t2);
  await store.close();
};

process.stdout.write(
  `${total} events, ~${Math.round(avgBytes)} bytes of data+metadata each, ${streams} streams\n`,
);
try {
  rawAppend(join(dir, 'raw.db'));
  await adapterAppend(join(dir, 'adapter.db'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
