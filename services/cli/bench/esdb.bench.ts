/**
 * Reading back from EventStoreDB, on the protocol double (issue: rebuild and
 * verify from the EventStoreDB store at ≥ 50 % of a raw `$all` read of it):
 *
 *   raw `$all` read with @eventstore/db-client (one read, every record)
 *   nhagiao rebuild --store esdb://…   (ledger replay from the store)
 *   nhagiao verify --store esdb://…    (Merkle tree against the signed checkpoint, and a replay)
 *
 * Each as events/s beside the raw read, measured in the same run, against the
 * same log. The double runs in this process, so the server's work shares the
 * thread with each reader alike. The log is laid into the double directly
 * (the dataset's events, stream by stream as they come): this bench is about
 * reading; the import is measured elsewhere.
 *
 * Usage: npx tsx services/cli/bench/esdb.bench.ts [teachers=8000]   (8,000 teachers: ~100,000 events)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { generateDataset } from '@nhagiao/dataset';
import { streamOf } from '@nhagiao/domain';
// The protocol double is test support of the eventstore package, outside its exports.
import {
  rawReadAll,
  startEsdbDouble,
} from '../../../packages/eventstore/test-support/esdb-double/index.js';
import { runCli } from '../src/cli.js';

const teachers = Number(process.argv[2] ?? 8_000);
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const perSecond = (n: number, ms: number): number => n / (ms / 1000);

const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-esdb-bench-'));
const double = await startEsdbDouble();
const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  const errors: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  stderr.on('data', (c: Buffer) => errors.push(c));
  const code = await runCli([...args, '--data-dir', dir, '--store', double.url], {
    stdout,
    stderr,
    stdin: Readable.from([]),
    env: {},
  });
  return {
    code,
    stdout: Buffer.concat(chunks).toString('utf8'),
    stderr: Buffer.concat(errors).toString('utf8'),
  };
};
const must = async (args: string[]): Promise<string> => {
  const r = await run(args);
  if (r.code !== 0) throw new Error(`nhagiao ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
};

const rawRead = () => rawReadAll(double.url);

try {
  let t = performance.now();
  let events = 0;
  for (const e of generateDataset({ teachers })) {
    double.log.append(streamOf(e), { kind: 'any' }, [
      {
        id: e.id,
        type: e.type,
        contentType: 'application/json',
        data: Buffer.from(JSON.stringify(e.data)),
        customMetadata: Buffer.from(JSON.stringify(e.metadata ?? {})),
      },
    ]);
    events += 1;
  }
  out(
    `setup: ${fmt(events)} events of ${fmt(teachers)} teachers laid into the double in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  await must(['signing', 'init', '--name', 'nhagiao.bench/esdb']);
  t = performance.now();
  await must(['audit', 'checkpoint']);
  out(
    `setup: audit checkpoint (the leaf table from the log) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  const before = await rawRead();
  t = performance.now();
  await must(['rebuild']);
  const rebuildMs = performance.now() - t;
  t = performance.now();
  const verify = JSON.parse(await must(['verify', '--format', 'json'])) as { ok: boolean };
  const verifyMs = performance.now() - t;
  if (!verify.ok) throw new Error('verify did not hold on the double');
  const after = await rawRead();

  const raw = perSecond(before.records + after.records, before.ms + after.ms);
  const rebuild = perSecond(events, rebuildMs);
  const verified = perSecond(events, verifyMs);
  out('');
  out(
    `raw $all read (@eventstore/db-client, ${fmt(before.records)} records): ${fmt(perSecond(before.records, before.ms))} and ${fmt(perSecond(after.records, after.ms))} records/s (before and after), ${fmt(raw)} records/s together: the baseline`,
  );
  out(
    `nhagiao rebuild --store esdb://: ${fmt(events)} events in ${(rebuildMs / 1000).toFixed(1)} s, ${fmt(rebuild)} events/s = ${Math.round((rebuild / raw) * 100)} % of raw (target ≥ 50 %)`,
  );
  out(
    `nhagiao verify --store esdb://: ${fmt(events)} events in ${(verifyMs / 1000).toFixed(1)} s, ${fmt(verified)} events/s = ${Math.round((verified / raw) * 100)} % of raw (target ≥ 50 %)`,
  );
} finally {
  await double.stop();
  rmSync(dir, { recursive: true, force: true });
}
