/**
 * Bulk apply and figures() on ~1M ledger rows over 30,000 teachers and 30 units.
 * Run: npx tsx packages/readmodels/bench/figures.bench.ts [teachers]
 * PostgreSQL is measured too when READMODELS_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  openPostgresReadModel,
  openSqliteReadModel,
  type LedgerBatch,
  type ReadModelStore,
} from '../src/index.js';
import { batchesOf, generateLedger, PLAN_INDICATORS } from '../src/test-support/generate.js';

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const teachers = Number(process.argv[2] ?? 30_000);
const BATCH_EVENTS = 5_000;

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

const time = async (n: number, fn: (i: number) => Promise<unknown>): Promise<string> => {
  const samples: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return `p50 ${percentile(samples, 0.5).toFixed(2)} ms, p95 ${percentile(samples, 0.95).toFixed(2)} ms (n=${n})`;
};

const started = performance.now();
const ledger = generateLedger({ teachers, units: 30, rounds: 18 });
const batches = batchesOf(ledger, BATCH_EVENTS);
const last = ledger.events[ledger.events.length - 1]!.position;
// A rebuild writes each teacher's state once, at the end, as the projector's rebuild does.
const finalStates = new Map(
  batches.flatMap((b) => (b.teacherStates ?? []).map((t) => [t.teacherId, t] as const)),
);
const rebuildBatches: LedgerBatch[] = [
  ...batches.map((b) => ({ ...b, teacherStates: [] })),
  { projection: 'ledger', checkpoint: last + 1n, teacherStates: [...finalStates.values()] },
];
say(
  `generated ${ledger.events.length} events, ${ledger.rowCount} ledger rows, ${teachers} teachers, 30 units ` +
    `in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

const DATES = ['2024-12-31', '2025-06-30', '2025-08-25', '2025-12-31', '2020-12-31'];

/** Applies every batch; reports wall-clock and this process's CPU rates (the machine may be shared). */
const applyAll = async (
  label: string,
  store: ReadModelStore,
  what: string,
  input: readonly LedgerBatch[],
): Promise<void> => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const batch of input) await store.applyBatch(batch);
  if (what.startsWith('rebuild')) await store.buildIndexes();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  say(
    `${label}: ${what}: ${(ledger.events.length / seconds).toFixed(0)} events/s, ` +
      `${(ledger.rowCount / seconds).toFixed(0)} rows/s wall (${seconds.toFixed(1)} s); ` +
      `${(ledger.events.length / cpuSeconds).toFixed(0)} events per CPU-second of this process`,
  );
};

const measure = async (label: string, open: () => Promise<ReadModelStore>): Promise<void> => {
  const store = await open();
  await store.reset({ deferIndexes: true });
  await applyAll(
    label,
    store,
    'rebuild (indexes deferred, then built; teacher states once at the end)',
    rebuildBatches,
  );
  await store.reset();
  await applyAll(label, store, 'live apply (indexed; teacher states in every batch)', batches);
  const reader = await open();
  const c0 = performance.now();
  await reader.figures({ indicators: PLAN_INDICATORS, asOf: '2025-12-31', by: 'unit' });
  say(
    `${label}: first figures() of a new handle (loads the sums) ${(performance.now() - c0).toFixed(0)} ms`,
  );
  say(
    `${label}: figures() by unit, known now: ` +
      (await time(300, (i) =>
        reader.figures({ indicators: PLAN_INDICATORS, asOf: DATES[i % DATES.length]!, by: 'unit' }),
      )),
  );
  say(
    `${label}: figures() by area, known now: ` +
      (await time(100, (i) =>
        reader.figures({ indicators: PLAN_INDICATORS, asOf: DATES[i % DATES.length]!, by: 'area' }),
      )),
  );
  for (const [name, knownAt] of [
    ['last 2,000 events', last - 2_000n],
    ['half the log', last / 2n],
  ] as const) {
    say(
      `${label}: figures() by unit, known at ${name} ago: ` +
        (await time(10, (i) =>
          reader.figures({
            indicators: PLAN_INDICATORS,
            asOf: DATES[i % DATES.length]!,
            by: 'unit',
            knownAt,
          }),
        )),
    );
  }
  const d0 = performance.now();
  const digest = await reader.digest();
  say(
    `${label}: digest ${digest.slice(0, 16)}… in ${((performance.now() - d0) / 1000).toFixed(1)} s`,
  );
  await reader.close();
  await store.close();
};

const dir = mkdtempSync(join(tmpdir(), 'readmodels-bench-'));
try {
  await measure('sqlite', () => openSqliteReadModel(join(dir, 'bench.sqlite')));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const adminUrl = process.env['READMODELS_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const admin = new pg.Client({ connectionString: adminUrl });
const reachable = await admin.connect().then(
  () => true,
  () => false,
);
if (reachable) {
  const name = `readmodels_bench_${process.pid}`;
  await admin.query(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    await measure('postgres', () => openPostgresReadModel(url.toString()));
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
} else {
  say('postgres: not reachable, skipped');
}
