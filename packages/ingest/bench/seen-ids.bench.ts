/**
 * `pnpm bench seen-ids`: the index of ids a check of a file has accepted, as
 * the check uses it (every id looked up, then each window of 2,000 accepted
 * events noted), over the events of a generated file, beside a plain in-memory
 * `Map` of the same events in the same run (the floor: no disk, but memory
 * that grows with the file). Heap growth is printed for both: the index must
 * stay flat in the length of the file.
 *
 * Usage: tsx packages/ingest/bench/seen-ids.bench.ts [teachers=8200]
 */
import { generateDataset } from '@nhagiao/dataset';
import { type Envelope, streamOf } from '@nhagiao/domain';
import { SeenIds, type SeenRow } from '../src/seen-ids.js';

const teachers = Number(process.argv[2] ?? 8_200);
const WINDOW = 2_000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

type Row = SeenRow;

const rows: Row[] = [];
for (const e of generateDataset({ teachers, seed: 5 })) {
  const envelope = e as Envelope;
  rows.push({
    id: envelope.id,
    line: rows.length + 1,
    type: envelope.type,
    data: JSON.stringify(envelope.data),
    stream: streamOf(envelope),
    metadata: envelope.metadata === undefined ? '' : JSON.stringify(envelope.metadata),
  });
}

const heapMb = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1_048_576;
};

interface Run {
  /** Lookups of ids not noted (every line of a clean file). */
  readonly getMs: number;
  /** Lookups of ids noted (a file whose lines come again). */
  readonly hitMs: number;
  readonly addMs: number;
  readonly found: number;
  readonly heapGrowthMb: number;
}

/** Each window: its ids looked up (none found: a clean file), then its events noted. */
const run = (index: {
  get(id: string): unknown;
  addAll(rows: readonly Row[]): void;
  close(): void;
}): Run => {
  const before = heapMb();
  let getMs = 0;
  let addMs = 0;
  let found = 0;
  for (let start = 0; start < rows.length; start += WINDOW) {
    const window = rows.slice(start, start + WINDOW);
    let t = performance.now();
    for (const r of window) if (index.get(r.id) !== undefined) found += 1;
    getMs += performance.now() - t;
    t = performance.now();
    index.addAll(window);
    addMs += performance.now() - t;
  }
  // Every id once more: all found (a file sent twice within one check).
  const t = performance.now();
  for (const r of rows) if (index.get(r.id) !== undefined) found += 1;
  const hitMs = performance.now() - t;
  const heapGrowthMb = heapMb() - before;
  index.close();
  return { getMs, hitMs, addMs, found, heapGrowthMb };
};

const inMemory = (): Parameters<typeof run>[0] => {
  const map = new Map<string, Row>();
  return {
    get: (id) => map.get(id),
    addAll: (list) => {
      for (const r of list) if (!map.has(r.id)) map.set(r.id, r);
    },
    close: () => map.clear(),
  };
};

// One warm-up of each, then the measured runs.
run(inMemory());
run(new SeenIds());
const floor = run(inMemory());
const seen = run(new SeenIds());
for (const [name, r] of [
  ['in-memory Map', floor],
  ['SeenIds', seen],
] as const)
  if (r.found !== rows.length)
    throw new Error(`${name} found ${r.found} of the ${rows.length} ids noted`);

const line = (name: string, r: Run): string =>
  `${name.padEnd(30)} ${fmt(rows.length)} ids: new ids looked up ${fmt(r.getMs)} ms, noted ${fmt(r.addMs)} ms (check total ${fmt(r.getMs + r.addMs)} ms); noted ids looked up ${fmt(r.hitMs)} ms; heap +${r.heapGrowthMb.toFixed(1)} MB`;
process.stdout.write(
  [
    `seen ids of a check over ${fmt(rows.length)} events (${fmt(teachers)} teachers), windows of ${fmt(WINDOW)}`,
    line('in-memory Map (floor)', floor),
    line('SeenIds (SQLite, flat memory)', seen),
    `SeenIds / Map, a check's lookups and notes: ×${((seen.getMs + seen.addMs) / (floor.getMs + floor.addMs)).toFixed(1)} the time`,
  ].join('\n') + '\n',
);
