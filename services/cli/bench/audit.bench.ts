/**
 * The transparency log of a ~1,000,000-event history, served and checked:
 *
 * 1. over HTTP (the API's /v1/log routes on a loopback socket): inclusion and
 *    consistency proofs and full hash tiles, request latency p50/p99, beside
 *    GET /v1/log/key (a constant text through the same server) as the baseline,
 *    then the same answers computed in process (LogView), without HTTP;
 * 2. `verify --bundle DIR` (export, then verify with nothing of the operator's)
 *    beside `verify` on the operator's own store, both whole commands, same run.
 *
 *   npx tsx services/cli/bench/audit.bench.ts [teachers]    (80,500 teachers: ~1,000,000 events)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { LogView } from '@nhagiao/audit';
import { buildServer, logServingFromFiles, openKeyStore } from '@nhagiao/api';
import { getPlan } from '@nhagiao/domain';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { createIngestor, fileQuarantine } from '@nhagiao/ingest';
import { openSqliteReadModel } from '@nhagiao/readmodels/sqlite';
import { runCli } from '../src/cli.js';

const teachers = Number(process.argv[2] ?? 80_500);
const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const rate = (n: number, ms: number): string =>
  `${Math.round((n / ms) * 1000).toLocaleString('en')} events/s`;

const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-audit-bench-'));
const bundle = path.join(dir, 'bundle');
const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  const errs: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  stderr.on('data', (c: Buffer) => errs.push(c));
  const code = await runCli([...args, '--data-dir', dir], {
    stdout,
    stderr,
    stdin: Readable.from([]),
    env: {},
  });
  return {
    code,
    stdout: Buffer.concat(chunks).toString('utf8'),
    stderr: Buffer.concat(errs).toString('utf8'),
  };
};

const quantiles = (times: number[]) => {
  const s = [...times].sort((a, b) => a - b);
  const q = (p: number) => (s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0).toFixed(2);
  return `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms (${s.length} requests)`;
};

try {
  let t = performance.now();
  if ((await run(['demo', '--teachers', String(teachers)])).code !== 0)
    throw new Error('demo failed');
  out(
    `setup: demo import of ${teachers} teachers in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  await run(['signing', 'init']);
  t = performance.now();
  const cp = await run(['audit', 'checkpoint']);
  const size = Number(cp.stdout.split('\n')[1]);
  out(`audit checkpoint of ${size} events: ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // 1. Serving.
  {
    const plan = getPlan('bac-kan-423-2024');
    if (plan === undefined) throw new Error('no plan');
    const store = openSqliteEventStore(path.join(dir, 'events.sqlite'), { readOnly: true });
    const readModel = await openSqliteReadModel(path.join(dir, 'bench-readmodel.sqlite'));
    const keys = openKeyStore(path.join(dir, 'bench-keys.sqlite'));
    const quarantine = fileQuarantine(path.join(dir, 'bench-quarantine.ndjson'));
    const app = await buildServer({
      store,
      readModel,
      ingestor: createIngestor({ store, quarantine }),
      keys,
      plan,
      limits: { requestsPerWindow: 1_000_000_000 },
      log: logServingFromFiles({
        audit: path.join(dir, 'audit.sqlite'),
        publicKey: path.join(dir, 'audit-public.key'),
      }),
    });
    const base = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1/log`;
    const time = async (url: string): Promise<number> => {
      const t0 = performance.now();
      const res = await fetch(base + url);
      await res.arrayBuffer();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
      return ms;
    };
    t = performance.now();
    await time('/checkpoint');
    out(
      `first request (opens the audit file, builds the tree from ${size} recorded leaves): ${(performance.now() - t).toFixed(0)} ms`,
    );
    const rounds = teachers >= 50_000 ? 2000 : 500;
    const random = (n: number) => Math.floor(Math.random() * n);
    for (let i = 0; i < 50; i++) await time('/key'); // warm the connection and the JIT
    const key: number[] = [];
    for (let i = 0; i < rounds; i++) key.push(await time('/key'));
    const inclusion: number[] = [];
    for (let i = 0; i < rounds; i++)
      inclusion.push(await time(`/proof/inclusion?index=${random(size)}`));
    const older: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const to = 1 + random(size);
      older.push(await time(`/proof/inclusion?index=${random(to)}&treeSize=${to}`));
    }
    const consistency: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const to = 1 + random(size);
      consistency.push(await time(`/proof/consistency?from=${1 + random(to)}&to=${to}`));
    }
    const fullTiles = Math.floor(size / 256);
    const tiles0: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const n = random(fullTiles);
      const index = String(n % 1000).padStart(3, '0');
      const groups =
        n >= 1000 ? `x${String(Math.floor(n / 1000) % 1000).padStart(3, '0')}/${index}` : index;
      tiles0.push(await time(`/tile/0/${groups}`));
    }
    const tiles1: number[] = [];
    for (let i = 0; i < Math.min(rounds, 200); i++)
      tiles1.push(
        await time(`/tile/1/${String(random(Math.floor(size / 65536))).padStart(3, '0')}`),
      );
    out(`GET /v1/log/key (baseline: constant text, same server)     ${quantiles(key)}`);
    out(`GET /v1/log/proof/inclusion, latest tree                   ${quantiles(inclusion)}`);
    out(`GET /v1/log/proof/inclusion, random earlier tree size       ${quantiles(older)}`);
    out(`GET /v1/log/proof/consistency, random sizes                 ${quantiles(consistency)}`);
    out(`GET /v1/log/tile/0/<N>, full level-0 tile (8 KiB)           ${quantiles(tiles0)}`);
    out(`GET /v1/log/tile/1/<N>, full level-1 tile                   ${quantiles(tiles1)}`);
    await app.close();
    await store.close();
    await readModel.close();
    keys.close();

    // The same answers computed in process, without HTTP: what the route adds on top.
    const view = LogView.open(path.join(dir, 'audit.sqlite'));
    view.published();
    const inProcess = (f: () => unknown): number[] => {
      const times: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const t0 = performance.now();
        f();
        times.push(performance.now() - t0);
      }
      return times;
    };
    out(
      `  in process: inclusion proof                               ${quantiles(inProcess(() => view.inclusionProof(random(size))))}`,
    );
    out(
      `  in process: consistency proof                             ${quantiles(
        inProcess(() => {
          const to = 1 + random(size);
          view.consistencyProof(1 + random(to), to);
        }),
      )}`,
    );
    out(
      `  in process: full level-0 tile                             ${quantiles(
        inProcess(() => view.tile({ level: 0, index: random(fullTiles), width: 256 })),
      )}`,
    );
    view.close();
  }

  // 2. verify on the operator's store, then export and verify --bundle.
  const cpu0 = process.cpuUsage();
  t = performance.now();
  const own = await run(['verify', '--format', 'json']);
  const ownMs = performance.now() - t;
  const ownCpu = process.cpuUsage(cpu0);
  if (own.code !== 0) throw new Error(`verify failed: ${own.stdout.slice(0, 500)}`);
  t = performance.now();
  const exported = await run(['export', '--out', bundle]);
  if (exported.code !== 0) throw new Error(`export failed: ${exported.stderr}`);
  const exportMs = performance.now() - t;
  const cpu1 = process.cpuUsage();
  t = performance.now();
  const fromBundle = await run(['verify', '--bundle', bundle, '--format', 'json']);
  const bundleMs = performance.now() - t;
  const bundleCpu = process.cpuUsage(cpu1);
  if (fromBundle.code !== 0)
    throw new Error(`verify --bundle failed: ${fromBundle.stdout.slice(0, 500)}`);
  out(
    `verify on the operator's store (baseline)  ${ownMs.toFixed(0).padStart(7)} ms  ${rate(size, ownMs)} (CPU of this process ${((ownCpu.user + ownCpu.system) / 1000).toFixed(0)} ms)`,
  );
  out(
    `export --out DIR (the operator's step)     ${exportMs.toFixed(0).padStart(7)} ms  ${rate(size, exportMs)}`,
  );
  out(
    `verify --bundle DIR (load + verify)         ${bundleMs.toFixed(0).padStart(7)} ms  ${rate(size, bundleMs)} (CPU of this process ${((bundleCpu.user + bundleCpu.system) / 1000).toFixed(0)} ms)`,
  );
  out(
    `verify --bundle speed = ${((100 * ownMs) / bundleMs).toFixed(0)} % of verify on the operator's store (target ≥ 50 %)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
