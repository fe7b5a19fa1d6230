/**
 * `pnpm bench esdb-import`: NDJSON import into EventStoreDB, on the protocol
 * double, beside raw `@eventstore/db-client` appends of the same events to a
 * double of the same kind in the same run:
 *
 *   import of N events (`nhagiao import FILE --store esdb://…`, own process)
 *     vs raw appends of the same events, each stream's in one batched append
 *     (at most 500 events), in the file's order of streams, measured before
 *     and after the import (the baseline is the two together)
 *   re-import of the same file into the same double, every line a duplicate
 *     (the resume after a crash), beside the fresh import of the same run
 *   peak RSS of the import at three file sizes (¼×, 1× and 4× the main file):
 *   flat in the length of the file when the last two are close (the first
 *   shows the process's start, before its heap has grown to its working size)
 *
 * Usage: tsx packages/ingest/bench/esdb-import.bench.ts [teachers=8200]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { generateDataset } from '@nhagiao/dataset';
import { type Envelope, streamOf } from '@nhagiao/domain';
import { startEsdbDouble } from '../../eventstore/test-support/esdb-double/index.js';
import { CLI_NODE_FLAGS } from '../../../services/cli/src/node-flags.js';

const teachers = Number(process.argv[2] ?? 8_200);
const here = path.dirname(new URL(import.meta.url).pathname);
const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-esdb-import-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const writeNdjson = async (file: string, n: number, seed: number): Promise<Envelope[]> => {
  const events: Envelope[] = [];
  const out = createWriteStream(file);
  for (const e of generateDataset({ teachers: n, seed })) {
    events.push(e as Envelope);
    if (!out.write(`${JSON.stringify(e)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return events;
};

interface ChildResult {
  readonly appended: number;
  readonly duplicates: number;
  readonly ms: number;
  readonly maxRssMb: number;
  /** The heap just after each full collection, at most: what the import holds. */
  readonly heldMb: number;
}
/** Asynchronously: the double answers from this process while the child imports. */
const importInChild = async (file: string, url: string): Promise<ChildResult> =>
  JSON.parse(
    (
      await promisify(execFile)(
        process.execPath,
        [
          ...CLI_NODE_FLAGS,
          '--import',
          'tsx',
          path.join(here, 'esdb-import-child.ts'),
          file,
          url,
          dir,
        ],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      )
    ).stdout,
  ) as ChildResult;

/** Raw client appends: each stream's events in one append (500 at most), streams in the file's order. */
const rawAppends = async (url: string, events: readonly Envelope[]): Promise<number> => {
  const byStream = new Map<string, Envelope[]>();
  for (const e of events) {
    const stream = streamOf(e);
    const list = byStream.get(stream);
    if (list) list.push(e);
    else byStream.set(stream, [e]);
  }
  const client = EventStoreDBClient.connectionString(url);
  const started = performance.now();
  for (const [stream, list] of byStream)
    for (let i = 0; i < list.length; i += 500)
      await client.appendToStream(
        stream,
        list.slice(i, i + 500).map((e) =>
          jsonEvent({
            id: randomUUID(),
            type: e.type,
            data: e.data as Record<string, unknown>,
            metadata: e.metadata ?? {},
          }),
        ),
      );
  const ms = performance.now() - started;
  await client.dispose();
  return ms;
};

try {
  const small = path.join(dir, 'small.ndjson');
  const large = path.join(dir, 'large.ndjson');
  const huge = path.join(dir, 'huge.ndjson');
  const smallEvents = await writeNdjson(small, Math.round(teachers / 4), 11);
  const largeEvents = await writeNdjson(large, teachers, 12);
  const hugeCount = (await writeNdjson(huge, teachers * 4, 13)).length;
  process.stdout.write(
    `files: ${fmt(smallEvents.length)}, ${fmt(largeEvents.length)} and ${fmt(hugeCount)} events (${fmt(Math.round(teachers / 4))}, ${fmt(teachers)} and ${fmt(teachers * 4)} teachers)\n`,
  );

  // Each measurement on a double of its own, started the same way: the log's length is the same
  // for all. The raw appends run before and after the import, which is measured beside both: a
  // machine that speeds up or slows down during the run moves the baseline with it.
  const raw = async (): Promise<number> => {
    const rawDouble = await startEsdbDouble();
    const ms = await rawAppends(rawDouble.url, largeEvents);
    await rawDouble.stop();
    return ms;
  };
  const rawBeforeMs = await raw();

  const importDouble = await startEsdbDouble();
  const big = await importInChild(large, importDouble.url);
  if (big.appended !== largeEvents.length)
    throw new Error(`the import appended ${big.appended} of ${largeEvents.length} events`);
  const importRate = big.appended / (big.ms / 1000);
  const rawAfterMs = await raw();
  const rawMs = (rawBeforeMs + rawAfterMs) / 2;
  const rawRate = largeEvents.length / (rawMs / 1000);
  const rateOf = (ms: number): string => fmt(largeEvents.length / (ms / 1000));
  // The same file again into the same store: what finishing an import after a crash does.
  const again = await importInChild(large, importDouble.url);
  await importDouble.stop();
  if (again.appended !== 0 || again.duplicates !== largeEvents.length)
    throw new Error(
      `the re-import appended ${again.appended} and found ${again.duplicates} duplicates of ${largeEvents.length} events`,
    );
  const againRate = again.duplicates / (again.ms / 1000);
  const againVsFresh = again.ms / big.ms;

  const smallDouble = await startEsdbDouble();
  const little = await importInChild(small, smallDouble.url);
  await smallDouble.stop();
  const hugeDouble = await startEsdbDouble();
  const most = await importInChild(huge, hugeDouble.url);
  await hugeDouble.stop();
  if (most.appended !== hugeCount)
    throw new Error(`the import appended ${most.appended} of ${hugeCount} events`);

  const pct = (importRate / rawRate) * 100;
  process.stdout.write(
    [
      `raw client appends (baseline)  ${fmt(largeEvents.length)} events: ${rateOf(rawBeforeMs)} and ${rateOf(rawAfterMs)} events/s (before and after the import), ${fmt(rawRate)} events/s together`,
      `nhagiao import --store esdb    ${fmt(big.appended)} events in ${(big.ms / 1000).toFixed(1)} s: ${fmt(importRate)} events/s = ${pct.toFixed(0)} % of raw (target ≥ 50 %) ${pct >= 50 ? 'MET' : 'NOT MET'}`,
      `re-import of the same file (all duplicates: the resume after a crash)  ${fmt(again.duplicates)} events in ${(again.ms / 1000).toFixed(1)} s: ${fmt(againRate)} events/s = ${((againRate / rawRate) * 100).toFixed(0)} % of raw; ×${againVsFresh.toFixed(2)} the fresh import's time (each stream read once)`,
      `peak RSS of the import          ${fmt(smallEvents.length)} events: ${little.maxRssMb.toFixed(0)} MB; ${fmt(largeEvents.length)} events: ${big.maxRssMb.toFixed(0)} MB; ${fmt(hugeCount)} events (${(most.ms / 1000).toFixed(1)} s): ${most.maxRssMb.toFixed(0)} MB (×${(most.maxRssMb / big.maxRssMb).toFixed(2)} for ×${(hugeCount / largeEvents.length).toFixed(1)} the events; target: flat)`,
      `heap held by the import         (just after full collections, at most) ${little.heldMb.toFixed(0)} MB; ${big.heldMb.toFixed(0)} MB; ${most.heldMb.toFixed(0)} MB`,
    ].join('\n') + '\n',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
