import { generateDataset } from '@nhagiao/dataset';
import { type EventStore, openEsdbEventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import path from 'node:path';
// The protocol double is test support of the eventstore package, outside its exports.
import { type EsdbDouble, startEsdbDouble } from '../../../packages/eventstore/test-support/esdb-double/index.js';
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
  process.stderr.write(ok(await sqlite.run(['import', dataset])).stderr);
  process.stderr.write(ok(await esdb.run(['import', dataset, '--store', double.url])).stderr);
  const [s, e] = [
    await positions(openSqliteEventStore(path.join(sqlite.dir, 'events.sqlite'), { readOnly: true })),
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
