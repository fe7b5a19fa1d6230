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
/**
 * Wall time gives events/s; CPU time (user+system of this process) is also shown
 * because on a shared machine wall time mostly measures the neighbours.
 */
const measure = async (label: string, work: () => Promise<number> | number): Promise<void> => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const n = await work();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuUs = (cpu.user + cpu.system) / n;
  process.stdout.write(
    `${label.padEnd(40)} ${rate(n, ms).padStart(18)}  ${cpuUs.toFixed(1).padStart(6)} µs CPU/event  (${n} in ${ms.toFixed(0)} ms)\n`,
  );
};

const rawAppend = async (path: string): Promise<void> => {
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
  await measure(`raw better-sqlite3 insert, ${batchSize}/txn`, () => {
    for (let i = 0; i < total; i += batchSize) write(events.slice(i, i + batchSize));
    return total;
  });
  await measure('raw better-sqlite3 read + JSON.parse', () => {
    let n = 0;
    for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as Iterable<{
      data: string;
      metadata: string;
    }>) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
      n++;
    }
    return n;
  });
  db.close();
};

const toWrites = (rows: typeof events): StreamWrite[] => {
  const byStream = new Map<string, Envelope[]>();
  for (const { stream, ...e } of rows) {
    const list = byStream.get(stream) ?? [];
    list.push(e as Envelope);
    byStream.set(stream, list);
  }
  return [...byStream].map(([stream, es]) => ({ stream, events: es, expected: 'any' }));
};

const adapterAppend = async (path: string): Promise<void> => {
  const store = openSqliteEventStore(path);
  const batches: StreamWrite[][] = [];
  for (let i = 0; i < total; i += batchSize) batches.push(toWrites(events.slice(i, i + batchSize)));
  await measure(`adapter appendBatch, ${batchSize}/call`, async () => {
    for (const writes of batches) await store.appendBatch(writes);
    return total;
  });
  await measure('adapter readAll (pages of 1000)', async () => {
    let n = 0;
    for await (const _ of store.readAll()) n++;
    return n;
  });
  await measure(`adapter appendBatch, ${batchSize} duplicates`, async () => {
    await store.appendBatch(batches[0] ?? []);
    return batchSize;
  });
  await store.close();
};

process.stdout.write(
  `${total} events, ~${Math.round(avgBytes)} bytes of data+metadata each, ${streams} streams\n`,
);
try {
  await rawAppend(join(dir, 'raw.db'));
  await adapterAppend(join(dir, 'adapter.db'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
