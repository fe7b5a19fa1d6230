import { createReadStream, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateDataset } from '@nhagiao/dataset';
import { type EventStore, openEsdbEventStore } from '@nhagiao/eventstore';
import { type ItemOutcome, createIngestor, ndjsonItems } from '@nhagiao/ingest';
// The protocol double is test support of the eventstore package, outside its exports.
import {
  type EsdbDouble,
  startEsdbDouble,
} from '../../../packages/eventstore/test-support/esdb-double/index.js';
import { type CliRun, cliSandbox } from './test-support/run.js';

/**
 * A file imported again into EventStoreDB (what finishing an import after a
 * crash does): every line is a duplicate, reported with where its event is
 * stored, and the store is not read once per line: each stream the file names
 * is read once, plus the history a retraction is decided against. The same id
 * with another body is still an id conflict, with the same message.
 */

interface Stored {
  readonly stream: string;
  readonly position: bigint;
  readonly revision: bigint;
}

let double: EsdbDouble;
let box: ReturnType<typeof cliSandbox>;
let lines: { id: string; type: string; data: Record<string, unknown> }[];
let file: string;
/** What the first import stored, by id. */
let stored: Map<string, Stored>;
/** Stream reads a re-import may need: each stream of the file, and per pass each retraction's history. */
let readBound: number;

const ok = (r: CliRun): CliRun => {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stderr}`);
  return r;
};

const storedById = async (store: EventStore): Promise<Map<string, Stored>> => {
  const byId = new Map<string, Stored>();
  try {
    for await (const e of store.readAll())
      byId.set(e.id, { stream: e.stream, position: e.position, revision: e.revision });
  } finally {
    await store.close();
  }
  return byId;
};

/** The import the CLI runs on a store without transactions: the file checked whole, then appended. */
const importTwoPasses = async (
  at: string,
): Promise<{ check: readonly ItemOutcome[]; append: readonly ItemOutcome[] }> => {
  const store = openEsdbEventStore(double.url);
  const ingestor = createIngestor({ store });
  try {
    const check = await ingestor.ingest(ndjsonItems(createReadStream(at)), {
      source: 'again.ndjson',
      mode: 'partial',
      check: true,
    });
    if (check.rejected > 0) return { check: check.items, append: [] };
    const append = await ingestor.ingest(ndjsonItems(createReadStream(at)), {
      source: 'again.ndjson',
      mode: 'partial',
    });
    return { check: check.items, append: append.items };
  } finally {
    ingestor.close();
    await store.close();
  }
};

beforeAll(async () => {
  double = await startEsdbDouble();
  box = cliSandbox();
  lines = [...generateDataset({ teachers: 120, seed: 3 })] as typeof lines;
  file = box.file(lines);
  ok(await box.run(['import', file, '--store', double.url]));
  stored = await storedById(openEsdbEventStore(double.url));
  const streams = new Set([...stored.values()].map((s) => s.stream));
  const retractions = lines.filter((l) => l.type === 'EventRetracted').length;
  readBound = streams.size + 2 * retractions;
}, 120_000);

afterAll(async () => {
  await double?.stop();
  box?.cleanup();
});

test('the first import stored every line', () => {
  expect(stored.size).toBe(lines.length);
  // The bound is far below one read per line, which is what it guards against.
  expect(readBound).toBeLessThan(lines.length / 2);
});

test('a re-import reports every line a duplicate at its stored position, reading each stream once', async () => {
  const before = double.served.streamReads;
  const { check, append } = await importTwoPasses(file);
  const reads = double.served.streamReads - before;
  expect(reads).toBeLessThanOrEqual(readBound);
  for (const outcomes of [check, append]) {
    expect(outcomes).toHaveLength(lines.length);
    outcomes.forEach((o, i) => {
      const line = lines[i] as (typeof lines)[number];
      const at = stored.get(line.id) as Stored;
      expect(o).toEqual({
        line: i + 1,
        id: line.id,
        status: 'duplicate',
        stream: at.stream,
        position: at.position,
        revision: at.revision,
      });
    });
  }
}, 120_000);

test('nhagiao import of the same file again: all duplicates, shown with their positions, nothing appended', async () => {
  const before = double.served.streamReads;
  const again = ok(await box.run(['import', file, '--store', double.url]));
  expect(double.served.streamReads - before).toBeLessThanOrEqual(readBound);
  expect(again.stderr).toContain(
    `0 appended, ${lines.length} duplicates, 0 rejected; ${lines.length} lines`,
  );
  const first = lines[0] as (typeof lines)[number];
  expect(again.stderr).toContain(
    `${path.basename(file)}:1 duplicate of event ${first.id} (position ${(stored.get(first.id) as Stored).position}), skipped`,
  );
  expect((await storedById(openEsdbEventStore(double.url))).size).toBe(lines.length);
}, 120_000);

test('a stored id with another body is still an id conflict, and an id sent in capitals still a duplicate', async () => {
  // A hire: its date is in its data, so changing it changes the body.
  const index = lines.findIndex(
    (l) => l.type === 'TeacherHired' && typeof l.data.hiredOn === 'string',
  );
  expect(index).toBeGreaterThan(0);
  const changed = lines.map((l, i) =>
    i === index ? { ...l, data: { ...l.data, hiredOn: '2001-01-01' } } : l,
  );
  const capital = lines.findIndex((l, i) => i !== index && l.type === 'TeacherRegistered');
  changed[capital] = { ...(changed[capital] as (typeof lines)[number]) };
  changed[capital].id = changed[capital].id.toUpperCase();
  const at = path.join(box.dir, 'changed.ndjson');
  writeFileSync(at, changed.map((l) => `${JSON.stringify(l)}\n`).join(''));

  const target = lines[index] as (typeof lines)[number];
  const where = stored.get(target.id) as Stored;
  const before = double.served.streamReads;
  const { check } = await importTwoPasses(at);
  expect(double.served.streamReads - before).toBeLessThanOrEqual(readBound);
  expect(check[index]).toMatchObject({
    line: index + 1,
    id: target.id,
    status: 'rejected',
    code: 'id-conflict',
    message: `id: ${target.id} is already used by another event at position ${where.position} of stream ${where.stream}`,
    issues: [{ path: 'id', message: 'is already used by another event with other content' }],
  });
  const registered = lines[capital] as (typeof lines)[number];
  expect(check[capital]).toMatchObject({
    line: capital + 1,
    id: registered.id,
    status: 'duplicate',
    position: (stored.get(registered.id) as Stored).position,
  });
  expect(check.filter((o) => o.status !== 'duplicate')).toHaveLength(1);

  const refused = await box.run(['import', at, '--store', double.url]);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain(
    `changed.ndjson:${index + 1} id: is already used by another event with other content`,
  );
  expect(refused.stderr).toContain('REJECTED — nothing appended from this file');
  expect((await storedById(openEsdbEventStore(double.url))).size).toBe(lines.length);
}, 120_000);
