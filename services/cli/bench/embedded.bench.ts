/**
 * The embedded product at scale (issue: import, rebuild, query, memory), each
 * beside its baseline measured in the same run on the same rows:
 *
 *   import 1M events from NDJSON   vs  raw better-sqlite3 appends in 1,000-event transactions
 *   rebuild the ledger from 1M     vs  raw read + JSON.parse of the same rows
 *   indicators --as-of by unit     p50 / p95 over random dates, in process
 *   peak memory (maxRSS) of import and rebuild: a quarter of the teachers, and the
 *   same teachers with shorter histories, to show what it grows with
 *
 * Usage: npx tsx services/cli/bench/embedded.bench.ts [teachers=80000]
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateDataset } from '@nhagiao/dataset';
import { getPlan, streamOf } from '@nhagiao/domain';
import { openSqliteReadModel } from '@nhagiao/readmodels';
import { CLI_NODE_FLAGS } from '../src/node-flags.js';

const teachers = Number(process.argv[2] ?? 80_000);
const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-bench-'));
const here = path.dirname(new URL(import.meta.url).pathname);
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const fmt = (n: number) => n.toLocaleString('en-US');

/** `until`: the last date of the histories (default the dataset's, late 2026). */
const writeNdjson = async (file: string, n: number, until?: string): Promise<number> => {
  const out = createWriteStream(file);
  let count = 0;
  for (const e of generateDataset({ teachers: n, ...(until === undefined ? {} : { until }) })) {
    count += 1;
    if (!out.write(`${JSON.stringify(e)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return count;
};

interface ChildResult {
  count: number;
  ms: number;
  cpuMs: number;
  /** This process's peak plus each replay worker's. */
  maxRssMb: number;
  ownMb: number;
  /** This process's largest heap just after a full collection. */
  heldMb: number;
  shardsMb?: number[];
}
const child = (...args: string[]): ChildResult =>
  JSON.parse(
    execFileSync(process.execPath, [...CLI_NODE_FLAGS, '--import', 'tsx', path.join(here, 'import-child.ts'), ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    }),
  ) as ChildResult;
const peak = (r: ChildResult): string =>
  r.shardsMb === undefined || r.shardsMb.length === 0
    ? `${r.maxRssMb.toFixed(0)} MB`
    : `${r.maxRssMb.toFixed(0)} MB (${r.ownMb.toFixed(0)} + workers ${r.shardsMb.map((m) => m.toFixed(0)).join(' + ')})`;

/** Raw baseline: the same rows with the store's schema and durability, no validation, no decisions. */
const rawAppend = (file: string, rows: readonly string[]): number => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL,
    revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL CHECK (json_valid(data)),
    metadata TEXT NOT NULL CHECK (json_valid(metadata)), recorded_at TEXT NOT NULL);
    CREATE UNIQUE INDEX events_stream_revision ON events (stream, revision);`);
  const insert = db.prepare('INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const revisions = new Map<string, number>();
  const started = performance.now();
  const tx = db.transaction((batch: readonly string[]) => {
    const at = new Date().toISOString();
    for (const line of batch) {
      const e = JSON.parse(line) as Parameters<typeof streamOf>[0] & { id: string; metadata?: unknown };
      const stream = streamOf(e);
      const revision = (revisions.get(stream) ?? -1) + 1;
      revisions.set(stream, revision);
      insert.run(e.id, stream, revision, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata ?? {}), at);
    }
  });
  for (let i = 0; i < rows.length; i += 1000) tx(rows.slice(i, i + 1000));
  const ms = performance.now() - started;
  db.close();
  return ms;
};

const rawRead = (file: string): { ms: number; count: number } => {
  const db = new Database(file, { readonly: true });
  const started = performance.now();
  let count = 0;
  let last = 0;
  const page = db.prepare('SELECT position, id, stream, revision, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT 1000');
  for (;;) {
    const rows = page.all(last) as { position: number; data: string; metadata: string }[];
    for (const r of rows) {
      JSON.parse(r.data);
      JSON.parse(r.metadata);
      count += 1;
      last = r.position;
    }
    if (rows.length < 1000) break;
  }
  const ms = performance.now() - started;
  db.close();
  return { ms, count };
};

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;

const main = async () => {
  console.log(`embedded benchmark: ${fmt(teachers)} teachers, data in ${dir}`);
  const file = path.join(dir, 'events.ndjson');
  const events = await writeNdjson(file, teachers);
  console.log(`dataset: ${fmt(events)} events`);
  const { readFileSync } = await import('node:fs');
  const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

  const rawMs = rawAppend(path.join(dir, 'raw.sqlite'), rows);
  const imp = child('import', file, path.join(dir, 'events.sqlite'));
  console.log(`import   raw append ${fmt(rate(events, rawMs))} ev/s | nhagiao import ${fmt(rate(imp.count, imp.ms))} ev/s = ${((100 * rawMs) / imp.ms).toFixed(0)} % of raw | peak ${imp.maxRssMb.toFixed(0)} MB`);

  const read = rawRead(path.join(dir, 'events.sqlite'));
  const reb = child('rebuild', path.join(dir, 'events.sqlite'), path.join(dir, 'readmodel.sqlite'));
  const reb1 = child('rebuild-1', path.join(dir, 'events.sqlite'), path.join(dir, 'readmodel-1.sqlite'));
  console.log(`rebuild  raw read+parse ${fmt(rate(read.count, read.ms))} ev/s | nhagiao rebuild ${fmt(rate(reb.count, reb.ms))} ev/s = ${((100 * read.ms) / reb.ms).toFixed(0)} % of raw | peak ${peak(reb)}`);
  console.log(`         in one process ${fmt(rate(reb1.count, reb1.ms))} ev/s = ${((100 * read.ms) / reb1.ms).toFixed(0)} % of raw | peak ${peak(reb1)} | CPU ${fmt(Math.round(reb1.cpuMs))} ms`);

  const plan = getPlan('bac-kan-423-2024');
  if (!plan) throw new Error('plan missing');
  const readModel = await openSqliteReadModel(path.join(dir, 'readmodel.sqlite'));
  await readModel.figures({ indicators: plan.indicators, asOf: '2025-12-31', by: 'unit' });
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const asOf = new Date(Date.UTC(2024, 0, 1) + Math.floor(Math.random() * 1000) * 86_400_000).toISOString().slice(0, 10);
    const t = performance.now();
    await readModel.figures({ indicators: plan.indicators, asOf, by: 'unit' });
    times.push(performance.now() - t);
  }
  await readModel.close();
  console.log(`query    indicators --as-of D --by unit over ${fmt(teachers)} teachers: p50 ${percentile(times, 0.5).toFixed(2)} ms, p95 ${percentile(times, 0.95).toFixed(2)} ms`);

  // Memory against size: a quarter of the teachers, same events per teacher.
  const small = path.join(dir, 'small.ndjson');
  const smallEvents = await writeNdjson(small, Math.round(teachers / 4));
  const impSmall = child('import', small, path.join(dir, 'small.sqlite'));
  const rebSmall = child('rebuild', path.join(dir, 'small.sqlite'), path.join(dir, 'small-rm.sqlite'));
  const rebSmall1 = child('rebuild-1', path.join(dir, 'small.sqlite'), path.join(dir, 'small-rm-1.sqlite'));
  console.log(`memory   ${fmt(smallEvents)} events: import ${impSmall.maxRssMb.toFixed(0)} MB (heap after a full GC at most ${impSmall.heldMb.toFixed(0)} MB), rebuild ${peak(rebSmall)}, in one process ${peak(rebSmall1)}; ${fmt(events)} events: import ${imp.maxRssMb.toFixed(0)} MB (${imp.heldMb.toFixed(0)} MB), rebuild ${peak(reb)}, in one process ${peak(reb1)}`);
  rmSync(small);
  // Memory against history length: the same teachers, their histories cut at the end of 2015.
  const short = path.join(dir, 'short.ndjson');
  const shortEvents = await writeNdjson(short, teachers, '2015-12-31');
  const impShort = child('import', short, path.join(dir, 'short.sqlite'));
  const rebShort = child('rebuild', path.join(dir, 'short.sqlite'), path.join(dir, 'short-rm.sqlite'));
  const rebShort1 = child('rebuild-1', path.join(dir, 'short.sqlite'), path.join(dir, 'short-rm-1.sqlite'));
  console.log(`         the same ${fmt(teachers)} teachers, histories to 2015 (${fmt(shortEvents)} events) and to 2026 (${fmt(events)}): import ${impShort.maxRssMb.toFixed(0)} and ${imp.maxRssMb.toFixed(0)} MB (heap after a full GC at most ${impShort.heldMb.toFixed(0)} and ${imp.heldMb.toFixed(0)} MB), rebuild ${peak(rebShort)} and ${peak(reb)}, in one process ${peak(rebShort1)} and ${peak(reb1)}`);
  rmSync(dir, { recursive: true, force: true });
};

await main();
