/**
 * What `nhagiao verify` costs on a log of N events (default ~1,000,000): the
 * Merkle recomputation against the checkpoint and the full replay into a fresh
 * ledger, beside SHA-256 of N leaf-sized inputs alone as the baseline measured
 * in the same run; then inclusion proof times for random events.
 *
 *   npx tsx services/cli/bench/verify.bench.ts [teachers]    (80,500 teachers: 1,000,643 events)
 *
 * Also reports CPU time of the whole verify command (all its threads) beside its
 * wall time, since the machine it runs on may be shared.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { AuditLog, SqliteAuditStore, findLoggedEvent } from '@nhagiao/audit';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { runCli } from '../src/cli.js';

const teachers = Number(process.argv[2] ?? 80_500);
const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const rate = (n: number, ms: number): string =>
  `${Math.round((n / ms) * 1000).toLocaleString('en')} events/s`;

const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-verify-bench-'));
const run = async (args: string[]): Promise<{ code: number; stdout: string }> => {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await runCli([...args, '--data-dir', dir], {
    stdout,
    stderr: new PassThrough(),
    stdin: Readable.from([]),
    env: {},
  });
  return { code, stdout: Buffer.concat(chunks).toString('utf8') };
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
  await run(['audit', 'checkpoint']);
  out(
    `audit checkpoint (first sync of the leaf table): ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const verified = await run(['verify', '--format', 'json']);
  const verifyWall = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  const verifyCpu = (cpu.user + cpu.system) / 1000;
  const v = JSON.parse(verified.stdout) as {
    ok: boolean;
    replay: { events: number; ms: number };
    log: { logSize: number; ms: number };
  };
  const n = v.log.logSize;
  // Baseline: SHA-256 alone over N leaf-sized (≈ 330-byte) inputs.
  const leaf = Buffer.alloc(330, 7);
  t = performance.now();
  const hashCpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) createHash('sha256').update(leaf).digest();
  const hashMs = performance.now() - t;
  const hc = process.cpuUsage(hashCpu0);
  out(`events: ${n}; verify exit ${verified.code} (ok=${v.ok})`);
  out(
    `whole verify command: wall ${verifyWall.toFixed(0)} ms, CPU ${verifyCpu.toFixed(0)} ms (${((1000 * verifyCpu) / n).toFixed(1)} µs/event)`,
  );
  out(
    `hashing alone (baseline)        ${hashMs.toFixed(0).padStart(7)} ms  ${rate(n, hashMs)} (CPU ${((hc.user + hc.system) / 1000).toFixed(0)} ms)`,
  );
  // On a long log verify replays on worker threads while its own thread hashes
  // the tree (the two overlap); on one thread it is one pass split between them.
  out(`  Merkle + checks               ${String(v.log.ms).padStart(7)} ms  ${rate(n, v.log.ms)}`);
  out(
    `  replay into a fresh ledger    ${String(v.replay.ms).padStart(7)} ms  ${rate(n, v.replay.ms)}`,
  );
  out(
    `verify, whole command           ${verifyWall.toFixed(0).padStart(7)} ms  ${rate(n, verifyWall)}`,
  );

  const store = openSqliteEventStore(path.join(dir, 'events.sqlite'), { readOnly: true });
  t = performance.now();
  const audit = SqliteAuditStore.open(path.join(dir, 'audit.sqlite'), { readOnly: true });
  const log = new AuditLog(store, audit);
  out(
    `open audit log (the leaf table read, the tree built from it): ${(performance.now() - t).toFixed(0)} ms`,
  );
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const position = BigInt(1 + Math.floor(Math.random() * n));
    const event = await findLoggedEvent(store, { position });
    if (event === undefined) continue;
    const t0 = performance.now();
    const proof = log.prove(event);
    times.push(performance.now() - t0);
    if (!proof.verified) throw new Error('proof did not verify');
  }
  times.sort((a, b) => a - b);
  const q = (p: number) =>
    (times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0).toFixed(2);
  out(
    `inclusion proof (${times.length} random events): median ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`,
  );
  audit.close();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
