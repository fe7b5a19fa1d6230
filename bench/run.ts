/**
 * `pnpm bench [NAME…] [--quick]`: runs the benchmarks one after another, each in
 * its own process so none inherits another's heap, and prints their figures.
 * Every benchmark measures its baseline in the same run. `--quick` runs them at
 * a tenth of the size, to check they work; the issue targets are for full size.
 * Each runs with the V8 flags the `nhagiao` command starts with. After each,
 * the figures of its earlier runs are printed from `bench/history.json`.
 */
import { spawnSync } from 'node:child_process';
import { CLI_NODE_FLAGS } from '../services/cli/src/node-flags.js';
import { printHistory } from './history.js';

interface Bench {
  readonly name: string;
  readonly what: string;
  readonly script: string;
  readonly args: (quick: boolean) => string[];
  readonly env?: (quick: boolean) => Record<string, string>;
  /** A second script run after the first, in its own process (a bench of two parts). */
  readonly then?: Pick<Bench, 'script' | 'args'>;
}

const benches: readonly Bench[] = [
  {
    name: 'embedded',
    what: 'import and rebuild of ~1M events vs raw SQLite, figures by unit p95, peak memory',
    script: 'services/cli/bench/embedded.bench.ts',
    args: (q) => [q ? '8000' : '80000'],
  },
  {
    name: 'verify',
    what: 'nhagiao verify over ~1M events (Merkle + replay) vs hashing alone; inclusion proofs',
    script: 'services/cli/bench/verify.bench.ts',
    args: (q) => [q ? '8000' : '80500'],
  },
  {
    name: 'pipeline',
    what: 'raw JetStream publish/consume, relay, projector into PostgreSQL, end-to-end lag',
    script: 'services/projector/bench/pipeline.bench.ts',
    args: (q) => [q ? '300' : '1500'],
  },
  {
    name: 'relay',
    what: 'raw JetStream publish vs the relay (SQLite → JetStream): rate and CPU per event',
    script: 'services/relay/bench/relay.bench.ts',
    args: (q) => [q ? '10000' : '100000'],
  },
  {
    name: 'api',
    what: 'POST /v1/events batches of 500, GET /v1/indicators p99 at 50 clients vs a plain Fastify route, GET /v1/status p99 with 2 MB line bombs in flight vs without',
    script: 'services/api/bench/api.bench.ts',
    args: () => [],
    env: (q) => (q ? { TEACHERS: '3000', POST_TEACHERS: '500', DURATION: '4' } : {}),
  },
  {
    name: 'forecast',
    what: 'GET /v1/pipeline over 30,000 teachers: first fold, cached and incremental answers',
    script: 'services/api/bench/forecast-pipeline.bench.ts',
    args: () => [],
    env: (q) => (q ? { TEACHERS: '3000' } : {}),
  },
  {
    name: 'sheets',
    what: "spreadsheet import (XLSX, CSV) of 30,000 teachers' records vs NDJSON import of the same events",
    script: 'packages/sheets/bench/sheets.bench.ts',
    args: (q) => [q ? '3000' : '30000'],
  },
  {
    name: 'cli',
    what: 'whole-process times of the built nhagiao: --help vs node -e 0, indicators --by unit --format json over 30,000 teachers, each beside the same command from source (tsx)',
    script: 'services/cli/bench/cli.bench.ts',
    args: (q) => (q ? ['3000', '5'] : ['30000', '7']),
  },
  {
    name: 'domain',
    what: 'the ledger projection alone',
    script: 'packages/domain/bench/project.bench.ts',
    args: (q) => (q ? ['100000', '3000'] : []),
  },
  {
    name: 'esdb',
    what: 'on the EventStoreDB protocol double: NDJSON import vs raw batched client appends (peak RSS at three file sizes), then rebuild and verify from the store vs a raw $all read of it',
    script: 'packages/ingest/bench/esdb-import.bench.ts',
    args: (q) => [q ? '820' : '8200'],
    then: {
      script: 'services/cli/bench/esdb.bench.ts',
      args: (q) => [q ? '800' : '8000'],
    },
  },
  {
    name: 'esdb-read',
    what: 'on the EventStoreDB protocol double: rebuild and verify from the store vs a raw $all read of it with @eventstore/db-client',
    script: 'services/cli/bench/esdb.bench.ts',
    args: (q) => [q ? '800' : '8000'],
  },
  {
    name: 'esdb-import',
    what: 'NDJSON import into EventStoreDB (protocol double) vs raw client appends of the same events; peak RSS at three file sizes',
    script: 'packages/ingest/bench/esdb-import.bench.ts',
    args: (q) => [q ? '820' : '8200'],
  },
  {
    name: 'seen-ids',
    what: 'the ids a check of a file has accepted (flat memory, SQLite behind a fixed-size filter) vs an in-memory Map of the same ids',
    script: 'packages/ingest/bench/seen-ids.bench.ts',
    args: (q) => [q ? '820' : '8200'],
  },
  {
    name: 'eventstore',
    what: 'SQLite adapter vs raw better-sqlite3',
    script: 'packages/eventstore/bench/append.bench.ts',
    args: (q) => (q ? ['20000'] : []),
  },
  {
    name: 'readmodels',
    what: 'figures() by unit and bulk apply, SQLite and PostgreSQL',
    script: 'packages/readmodels/bench/figures.bench.ts',
    args: (q) => (q ? ['3000'] : []),
  },
  {
    name: 'merkle',
    what: 'Merkle tree vs raw SHA-256; proofs',
    script: 'packages/audit/bench/merkle.bench.ts',
    args: (q) => (q ? ['100000'] : []),
  },
  {
    name: 'audit',
    what: 'the log of ~1M events over HTTP (proofs, tiles) vs a constant route; verify --bundle vs verify',
    script: 'services/cli/bench/audit.bench.ts',
    args: (q) => [q ? '8000' : '80500'],
  },
];

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const names = argv.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !benches.some((b) => b.name === n));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark ${unknown.join(', ')}; known: ${benches.map((b) => b.name).join(', ')}\n`,
  );
  process.exit(64);
}
const chosen = names.length === 0 ? benches : benches.filter((b) => names.includes(b.name));
let failed = 0;
for (const b of chosen) {
  process.stdout.write(`\n=== ${b.name}: ${b.what}${quick ? ' (quick)' : ''}\n`);
  const started = Date.now();
  const runScript = (part: Pick<Bench, 'script' | 'args'>) =>
    spawnSync(
      process.execPath,
      ['--expose-gc', ...CLI_NODE_FLAGS, '--import', 'tsx', part.script, ...part.args(quick)],
      {
        stdio: 'inherit',
        env: { ...process.env, ...(b.env?.(quick) ?? {}) },
      },
    );
  let r = runScript(b);
  if (r.status === 0 && b.then !== undefined) {
    process.stdout.write('\n');
    r = runScript(b.then);
  }
  if (r.status !== 0) failed += 1;
  printHistory(b.name);
  process.stdout.write(
    `=== ${b.name}: ${r.status === 0 ? 'done' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
}
process.exitCode = failed > 0 ? 1 : 0;
