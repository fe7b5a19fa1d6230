import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDataset } from '@nhagiao/dataset';
import { type EventStore, openEsdbEventStore, openSqliteEventStore } from '@nhagiao/eventstore';
// The protocol double is test support of the eventstore package, outside its exports.
import {
  type EsdbDouble,
  startEsdbDouble,
} from '../../../packages/eventstore/test-support/esdb-double/index.js';
import { killWhen, runNhagiao } from './test-support/run.js';
import { importJournal } from './import-journal.js';
import { dataConfig } from './config.js';

/**
 * The import journal: an import killed mid-way (a real process, SIGKILL) is
 * shown by `status`, refused a different file until resolved, and finished by
 * importing the same file again, every event of it stored exactly once; on
 * SQLite (one transaction) and on EventStoreDB (windows, through the double).
 */

const run = runNhagiao;

const writeDataset = async (file: string, teachers: number, seed: number): Promise<string[]> => {
  const ids: string[] = [];
  const out = createWriteStream(file);
  for (const e of generateDataset({ teachers, seed })) {
    ids.push(e.id);
    if (!out.write(`${JSON.stringify(e)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return ids;
};

/** How many times each id is stored. */
const storedIds = async (store: EventStore): Promise<Map<string, number>> => {
  const counts = new Map<string, number>();
  try {
    for await (const e of store.readAll()) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  } finally {
    await store.close();
  }
  return counts;
};

const everyOnce = (counts: Map<string, number>, ids: readonly string[]): void => {
  expect(counts.size).toBe(ids.length);
  for (const id of ids) expect(counts.get(id)).toBe(1);
};

describe.each([
  ['SQLite', false],
  ['EventStoreDB (the protocol double)', true],
] as const)('an import killed mid-way, on %s', (_name, esdb) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-journal-'));
  const file = path.join(dir, 'province.ndjson');
  const other = path.join(dir, 'other.ndjson');
  let ids: string[] = [];
  let otherIds: string[] = [];
  let double: EsdbDouble | undefined;
  let storeArgs: string[] = [];
  const open = (): EventStore =>
    double === undefined
      ? openSqliteEventStore(path.join(dir, 'events.sqlite'), { readOnly: true })
      : openEsdbEventStore(double.url);
  const decidedFiles = () => readdirSync(dir).filter((f) => f.startsWith('.import-decided-'));
  const journalFile = () =>
    importJournal(
      dataConfig({ 'data-dir': dir, ...(double === undefined ? {} : { store: double.url }) }, {}),
    ).file;

  beforeAll(async () => {
    // SQLite shows progress every 10,000 lines; the double is slower, so its file is smaller.
    ids = await writeDataset(file, esdb ? 300 : 1500, 7);
    // Another file: units of their own, so that it is valid whatever the first stored.
    const units = Array.from({ length: 5 }, (_, i) => ({
      id: `20000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
      type: 'UnitRegistered',
      data: {
        unitId: `khac-${i + 1}`,
        name: `Đơn vị khác ${i + 1}`,
        kind: 'vet-centre',
        area: 'bk.ba-be',
        registeredOn: '2005-01-01',
      },
    }));
    writeFileSync(other, units.map((u) => `${JSON.stringify(u)}\n`).join(''));
    otherIds = units.map((u) => u.id);
    if (esdb) double = await startEsdbDouble();
    storeArgs = ['--data-dir', dir, ...(double === undefined ? [] : ['--store', double.url])];
  }, 60_000);
  afterAll(async () => {
    await double?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is shown by status, refuses another file, and is finished by the same file, every event once', async () => {
    if (esdb) {
      // Killed once the journal marks windows stored: a prefix of the file is in the store.
      await killWhen(['import', file, ...storeArgs], () => {
        if (!existsSync(journalFile())) return false;
        try {
          const record = JSON.parse(readFileSync(journalFile(), 'utf8')) as {
            linesStored: number;
          };
          return record.linesStored >= 2000;
        } catch {
          return false; // being replaced at this moment
        }
      });
      const prefix = await storedIds(open());
      expect(prefix.size).toBeGreaterThan(0);
      expect(prefix.size).toBeLessThan(ids.length);
      // What its check decided is left behind by the killed process, until the next import.
      expect(decidedFiles()).toHaveLength(1);
    } else {
      // One transaction: killed in the middle, nothing of the file is stored.
      await killWhen(['import', file, ...storeArgs], (stderr) =>
        /validating: 10[.,]000/.test(stderr),
      );
      expect((await storedIds(open())).size).toBe(0);
    }

    const status = await run(['status', '--format', 'json', ...storeArgs]);
    expect(JSON.parse(status.stdout)).toMatchObject({
      unfinishedImport: { name: file, file, phase: esdb ? 'appending' : 'checking' },
    });
    const text = await run(['status', ...storeArgs]);
    expect(text.stdout).toMatch(
      new RegExp(`the import of ${file.replace(/[.\\/]/g, '\\$&')} .* is unfinished: run`),
    );

    // Another file: refused, with how to resolve it, and nothing of it stored.
    const refused = await run(['import', other, ...storeArgs]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/is unfinished.*no file named here is that file/);
    expect(refused.stderr).toContain('--abandon-import');
    const between = await storedIds(open());
    for (const id of otherIds) expect(between.has(id)).toBe(false);

    // The same file again: finished, nothing twice.
    const again = await run(['import', file, ...storeArgs]);
    expect(again.stderr).toContain('finishing the import started');
    expect(again.code).toBe(0);
    everyOnce(await storedIds(open()), ids);
    expect(existsSync(journalFile())).toBe(false);
    expect(decidedFiles()).toEqual([]);
    const clean = await run(['status', '--format', 'json', ...storeArgs]);
    expect(JSON.parse(clean.stdout)).not.toHaveProperty('unfinishedImport');
  }, 300_000);

  it('gives an unfinished import up with --abandon-import, keeping what it stored', async () => {
    await killWhen(['import', other, ...storeArgs], (stderr) =>
      /validating|appending/.test(stderr),
    ).catch(
      () => undefined, // a file this small may finish first: then there is nothing to abandon
    );
    // Whatever the kill left, a journal of another file is made to stand for an unfinished import.
    const journal = importJournal(
      dataConfig({ 'data-dir': dir, ...(double === undefined ? {} : { store: double.url }) }, {}),
    );
    journal.write({
      name: 'gone.ndjson',
      file: path.join(dir, 'gone.ndjson'),
      sha256: '0'.repeat(64),
      bytes: 1,
      importedBy: 'nhagiao import 00000000-0000-4000-8000-000000000000',
      startedAt: '2026-01-01T00:00:00.000Z',
      phase: 'appending',
      linesStored: 10,
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    expect((await run(['import', other, ...storeArgs])).code).not.toBe(0);
    const abandoned = await run(['import', other, '--abandon-import', ...storeArgs]);
    expect(abandoned.stderr).toMatch(/gone\.ndjson .* is unfinished: abandoned/);
    expect(abandoned.code).toBe(0);
    const counts = await storedIds(open());
    for (const id of [...ids, ...otherIds]) expect(counts.get(id)).toBe(1);
  }, 120_000);
});
