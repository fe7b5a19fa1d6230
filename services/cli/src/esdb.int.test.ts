import { generateDataset } from '@nhagiao/dataset';
import { type EventStore, openEsdbEventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import path from 'node:path';
// The protocol double is test support of the eventstore package, outside its exports.
import {
  type EsdbDouble,
  startEsdbDouble,
} from '../../../packages/eventstore/test-support/esdb-double/index.js';
import { type CliRun, cliSandbox } from './test-support/run.js';

/**
 * The product path on EventStoreDB, proved on the protocol double: the same
 * dataset imported with the SQLite store and with `--store esdb://…` must give
 * the same figures, explanations and histories. Positions differ by design
 * (SQLite counts 1, 2, 3…; EventStoreDB's are sparse byte offsets), so outputs
 * are compared after mapping each EventStoreDB position to the SQLite position
 * of the same event.
 */

const DATES = ['2024-06-30', '2025-08-25', '2025-12-31', '2030-12-31'];
const BY = ['province', 'unit', 'area', 'kind'] as const;

type Sandbox = ReturnType<typeof cliSandbox>;

let double: EsdbDouble;
let sqlite: Sandbox;
let esdb: Sandbox;
let dataset: string;
/** EventStoreDB position → SQLite position of the same event id. */
let toSqlite: Map<string, string>;

const ok = (r: CliRun): CliRun => {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stderr}`);
  return r;
};

const positions = async (store: EventStore): Promise<Map<string, string>> => {
  const byId = new Map<string, string>();
  try {
    for await (const e of store.readAll()) byId.set(e.id, e.position.toString());
  } finally {
    await store.close();
  }
  return byId;
};

beforeAll(async () => {
  double = await startEsdbDouble();
  sqlite = cliSandbox();
  esdb = cliSandbox();
  dataset = sqlite.file([...generateDataset({ teachers: 150 })]);
  ok(await sqlite.run(['import', dataset]));
  ok(await esdb.run(['import', dataset, '--store', double.url]));
  const [s, e] = [
    await positions(
      openSqliteEventStore(path.join(sqlite.dir, 'events.sqlite'), { readOnly: true }),
    ),
    await positions(openEsdbEventStore(double.url)),
  ];
  toSqlite = new Map([...e].map(([id, p]) => [p, s.get(id) ?? `missing ${id}`]));
}, 60_000);

afterAll(async () => {
  await double?.stop();
  sqlite?.cleanup();
  esdb?.cleanup();
});

test('the import puts every event of the file in EventStoreDB, in the same order', () => {
  const sqlitePositions = [...toSqlite.values()];
  expect(sqlitePositions).not.toContain(expect.stringMatching(/^missing/));
  expect(sqlitePositions).toEqual(sqlitePositions.map((_, i) => String(i + 1)));
});

test('indicators: the same figures for every date and every --by', async () => {
  for (const asOf of DATES)
    for (const by of BY) {
      const args = ['indicators', '--as-of', asOf, '--by', by, '--format', 'json'];
      const a = ok(await sqlite.run(args));
      const b = ok(await esdb.run([...args, '--store', double.url]));
      expect(JSON.parse(b.stdout)).toEqual(JSON.parse(a.stdout));
    }
});

test('indicators --known-at a position: the same figures at the same event on both stores', async () => {
  const [esdbPosition, sqlitePosition] = [...toSqlite].at(toSqlite.size / 2) ?? ['', ''];
  const args = ['indicators', '--as-of', '2025-12-31', '--by', 'unit', '--format', 'json'];
  const a = ok(await sqlite.run([...args, '--known-at', sqlitePosition]));
  const b = ok(await esdb.run([...args, '--known-at', esdbPosition, '--store', double.url]));
  const mapped = b.stdout.replaceAll(`"${esdbPosition}"`, `"${sqlitePosition}"`);
  expect(JSON.parse(mapped)).toEqual(JSON.parse(a.stdout));
  const now = ok(await sqlite.run(args));
  // The cut is in the middle of the import, so it must show less than now.
  expect(JSON.parse(a.stdout)).not.toEqual(JSON.parse(now.stdout));
});

test('explain: the same teachers, reasons and event ids', async () => {
  for (const code of [
    'master-or-above',
    'college-lecturers-qualified',
    'trained-digital-transformation',
  ])
    for (const scope of ['province', 'kind:college']) {
      const args = ['explain', code, '--as-of', '2025-12-31', '--scope', scope, '--format', 'json'];
      const a = ok(await sqlite.run(args));
      const b = ok(await esdb.run([...args, '--store', double.url]));
      const expected = JSON.parse(a.stdout) as { teachers: unknown[] };
      expect(expected.teachers.length).toBeGreaterThan(0);
      expect(JSON.parse(b.stdout)).toEqual(expected);
    }
});

interface Change {
  position: string;
  recordedAt: string;
}

test('history: the same changes, at the same events, in the same order', async () => {
  for (const code of ['master-or-above', 'trained-curriculum-outcomes'])
    for (const scope of ['province', 'kind:vet-centre']) {
      const args = ['history', code, '--scope', scope, '--format', 'json'];
      const a = JSON.parse(ok(await sqlite.run(args)).stdout) as { changes: Change[] };
      const b = JSON.parse(ok(await esdb.run([...args, '--store', double.url])).stdout) as {
        changes: Change[];
      };
      expect(a.changes.length).toBeGreaterThan(0);
      // recordedAt is each store's own clock: the events were recorded at different times.
      const comparable = (c: Change, position: string) => ({ ...c, position, recordedAt: '' });
      expect(b.changes.map((c) => comparable(c, toSqlite.get(c.position) ?? c.position))).toEqual(
        a.changes.map((c) => comparable(c, c.position)),
      );
    }
});

test('verify --store esdb:// holds: replay, Merkle tree against the signed checkpoint', async () => {
  ok(await esdb.run(['signing', 'init', '--name', 'nhagiao.test/esdb']));
  ok(await esdb.run(['audit', 'checkpoint', '--store', double.url]));
  const r = await esdb.run(['verify', '--store', double.url, '--format', 'json']);
  const result = JSON.parse(r.stdout) as {
    ok: boolean;
    log: { logSize: number; coveredSize: number };
  };
  expect({ code: r.code, ok: result.ok, stderr: r.stderr }).toEqual({
    code: 0,
    ok: true,
    stderr: '',
  });
  expect(result.log.logSize).toBe(toSqlite.size);
  expect(result.log.coveredSize).toBe(toSqlite.size);
});

test('a rejected file appends nothing on EventStoreDB either, and is reported as on SQLite', async () => {
  const stored = [...generateDataset({ teachers: 150 })][0];
  const file = sqlite.file([
    stored,
    {
      id: '20000000-0000-4000-8000-000000000001',
      type: 'UnitRegistered',
      data: {
        unitId: 'tt-moi',
        name: 'Trung tâm mới',
        kind: 'vet-centre',
        area: 'bk.cho-moi',
        registeredOn: '2025-01-01',
      },
    },
    {
      id: '20000000-0000-4000-8000-000000000002',
      type: 'TeacherHired',
      data: {
        teacherId: 'khong-co',
        unitId: 'tt-moi',
        employment: 'permanent',
        hiredOn: '2025-02-01',
        levels: ['college'],
        mode: 'theory',
      },
    },
    '{"id": "not json',
  ]);
  const before = double.log.events.length;
  const a = await sqlite.run(['import', file]);
  const b = await esdb.run(['import', file, '--store', double.url]);
  expect(b.code).toBe(2);
  expect(a.code).toBe(2);
  expect(double.log.events.length).toBe(before);
  // Same verdict, same lines named; positions mapped, progress and timings left out.
  const lines = (r: CliRun, dir: string, position: (p: string) => string) =>
    r.stderr
      .split('\n')
      .filter((l) => l.startsWith(file) && !l.includes('validating'))
      .map((l) =>
        l
          .replace(/; \d+ lines in .*$/, '')
          .replaceAll(file, 'FILE')
          .replaceAll(dir, 'DIR')
          .replace(/\(position (\d+)\)/, (_, p: string) => `(position ${position(p)})`),
      );
  const esdbLines = lines(b, esdb.dir, (p) => toSqlite.get(p) ?? `unknown ${p}`);
  expect(esdbLines).toEqual(lines(a, sqlite.dir, (p) => p));
  expect(esdbLines.join('\n')).toMatch(/REJECTED — nothing appended/);
});
