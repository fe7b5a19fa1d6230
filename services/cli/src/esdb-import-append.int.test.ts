import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateDataset } from '@nhagiao/dataset';
import { type Envelope, streamOf } from '@nhagiao/domain';
import { openEsdbEventStore } from '@nhagiao/eventstore';
import { DecidedWrites, createIngestor } from '@nhagiao/ingest';
// The protocol double is test support of the eventstore package, outside its exports.
import {
  type EsdbDouble,
  startEsdbDouble,
} from '../../../packages/eventstore/test-support/esdb-double/index.js';
import type { ProposedEvent } from '../../../packages/eventstore/test-support/esdb-double/log.js';
import { dataConfig } from './config.js';
import { importJournal } from './import-journal.js';
import { cliSandbox } from './test-support/run.js';

/**
 * An import on EventStoreDB checks the whole file, then appends what it
 * decided. Another writer that stores an event in one of the file's streams
 * between the two (here: another import of the same event, put in just before
 * this import's append reaches the stream) makes that append fail on its
 * expected revision; the import then decides the rest of the file again
 * against the store and finishes, every event of the file stored once.
 */
describe('nhagiao import --store esdb:// with another writer between the check and the append', () => {
  const sandbox = cliSandbox();
  let double: EsdbDouble;
  beforeAll(async () => {
    double = await startEsdbDouble();
  });
  afterAll(async () => {
    await double.stop();
    sandbox.cleanup();
  });

  it('finishes the file, every event once, after deciding again what the race touched', async () => {
    const events = [...generateDataset({ teachers: 40, seed: 3 })] as Envelope[];
    const file = path.join(sandbox.dir, 'province.ndjson');
    writeFileSync(file, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const teacherStreams = [...new Set(events.map(streamOf))].filter((s) =>
      s.startsWith('teacher-'),
    );
    const target = teacherStreams[Math.floor(teacherStreams.length / 2)] as string;
    const first = events.find((e) => streamOf(e) === target) as Envelope;
    const fileIds = new Set(events.map((e) => e.id));

    // The other writer: the target stream's first event, as another import stored it.
    const log = double.log;
    const append = log.append.bind(log);
    let raced = 0;
    log.append = (stream, expected, proposed: readonly ProposedEvent[]) => {
      if (stream === target && raced === 0 && proposed.some((p) => fileIds.has(p.id))) {
        raced += 1;
        append(stream, { kind: 'any' }, [
          {
            id: first.id,
            type: first.type,
            contentType: 'application/json',
            data: Buffer.from(JSON.stringify(first.data)),
            customMetadata: Buffer.from(JSON.stringify({ importedBy: 'another import' })),
          },
        ]);
      }
      return append(stream, expected, proposed);
    };

    const args = ['--store', double.url];
    const result = await sandbox.run(['import', file, ...args]);
    expect(raced).toBe(1);
    expect(result.stderr).toContain(
      `stream ${target}: expected no-stream, but it is at revision 0`,
    );
    expect(result.stderr).toMatch(/appending the rest of the file after deciding it again/);
    expect(result.code).toBe(0);
    // The other writer's copy is the one duplicate; everything else of the file was appended by this import.
    expect(result.stderr).toContain(`${events.length - 1} appended, 1 duplicates, 0 rejected`);

    const store = openEsdbEventStore(double.url);
    const counts = new Map<string, number>();
    try {
      for await (const e of store.readAll()) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
      for (const id of fileIds) expect([id, counts.get(id)]).toEqual([id, 1]);
      // The target stream: the other writer's copy first, then the file's other events in order.
      const stream: string[] = [];
      for await (const e of store.readStream(target)) stream.push(e.id);
      expect(stream).toEqual(events.filter((e) => streamOf(e) === target).map((e) => e.id));
    } finally {
      await store.close();
    }
    // Finished: nothing is left in the journal.
    const journal = importJournal(dataConfig({ 'data-dir': sandbox.dir, store: double.url }, {}));
    expect(existsSync(journal.file)).toBe(false);
  }, 120_000);

  it('into a store holding some of its streams, reads those and decides against them', async () => {
    const double2 = await startEsdbDouble();
    try {
      const events = [...generateDataset({ teachers: 40, seed: 4 })] as Envelope[];
      // What the store holds first: every registration and hire; the file: the rest, which needs them.
      const first = events.filter((e) => /Registered$|^TeacherHired$/.test(e.type));
      const rest = events.filter((e) => !first.includes(e));
      const write = (name: string, list: readonly Envelope[]) => {
        const file = path.join(sandbox.dir, name);
        writeFileSync(file, list.map((e) => `${JSON.stringify(e)}\n`).join(''));
        return file;
      };
      const args = ['--store', double2.url];
      const a = await sandbox.run(['import', write('registrations.ndjson', first), ...args]);
      expect(a.code).toBe(0);
      const restFile = write('rest.ndjson', rest);
      // The store is small beside the file: its streams are listed in one pass, not read one by one.
      expect(statSync(restFile).size / 500).toBeGreaterThan(first.length);
      const b = await sandbox.run(['import', restFile, ...args]);
      expect(b.stderr).toContain(`${rest.length} appended, 0 duplicates, 0 rejected`);
      expect(b.code).toBe(0);

      // A line about a teacher the store does not hold is still refused, and nothing is stored.
      const unknown = {
        ...(rest.find((e) => e.type === 'CourseCompleted') as Envelope),
        id: '30000000-0000-4000-8000-000000000001',
      };
      unknown.data = { ...unknown.data, teacherId: 'gv-khong-co' };
      const c = await sandbox.run([
        'import',
        write('unknown.ndjson', [...rest.slice(0, 3), unknown]),
        ...args,
      ]);
      expect(c.code).not.toBe(0);
      expect(c.stderr).toMatch(/REJECTED — nothing appended/);
      const store = openEsdbEventStore(double2.url);
      try {
        let stored = 0;
        for await (const _ of store.readAll()) stored += 1;
        expect(stored).toBe(events.length);
      } finally {
        await store.close();
      }
    } finally {
      await double2.stop();
    }
  }, 120_000);

  it("appends a decided stream's events over the 1 MiB append limit in appends under it, in order", async () => {
    const double3 = await startEsdbDouble();
    const store = openEsdbEventStore(double3.url);
    const file = path.join(sandbox.dir, 'decided.ndjson');
    try {
      // ~30 KB an event: 40 of one stream are 1.2 MB, over the limit in one append.
      const event = (i: number): Envelope => ({
        id: `40000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        type: 'CourseCompleted',
        data: { teacherId: 'gv-nang', programmeId: `p-${i}`, completedOn: '2025-05-12' },
        metadata: { note: 'ệ'.repeat(10_000) },
      });
      const heavy = Array.from({ length: 40 }, (_, i) => event(i));
      const decided = new DecidedWrites(file);
      decided.add({
        lastLine: 40,
        writes: [
          { stream: 'teacher-gv-nang', events: heavy, expected: 'no-stream', idsChecked: true },
        ],
      });
      decided.add({
        lastLine: 41,
        writes: [
          { stream: 'teacher-gv-nang', events: [event(40)], expected: 39n, idsChecked: true },
        ],
      });
      decided.close();
      const stored: number[] = [];
      const result = await createIngestor({ store }).appendDecided(file, {
        onStored: (line) => stored.push(line),
      });
      expect(result).toEqual({ appended: 41 });
      expect(stored).toEqual([40, 41]);
      const ids: string[] = [];
      for await (const e of store.readStream('teacher-gv-nang')) ids.push(e.id);
      expect(ids).toEqual([...heavy, event(40)].map((e) => e.id));
    } finally {
      await store.close();
      await double3.stop();
    }
  }, 120_000);

  it('decides the same with a few streams in memory as with all of them: interleaved, checked, appended, imported again', async () => {
    // The file in date-like order: each teacher's events in turn, one at a time.
    const events = [...generateDataset({ teachers: 60, seed: 8 })] as Envelope[];
    const firstTeacher = events.findIndex((e) => streamOf(e).startsWith('teacher-'));
    const byTeacher = new Map<string, Envelope[]>();
    const after: Envelope[] = [];
    for (const e of events.slice(firstTeacher)) {
      const stream = streamOf(e);
      if (!stream.startsWith('teacher-')) after.push(e);
      else byTeacher.set(stream, [...(byTeacher.get(stream) ?? []), e]);
    }
    const interleaved: Envelope[] = [...events.slice(0, firstTeacher)];
    for (let round = 0; interleaved.length < events.length - after.length; round++)
      for (const list of byTeacher.values()) {
        const next = list[round];
        if (next !== undefined) interleaved.push(next);
      }
    interleaved.push(...after);
    const items = interleaved.map((value, i) => ({ line: i + 1, value }));

    const importInto = async (memory?: { streams: number; storedEvents: number }) => {
      const double4 = await startEsdbDouble();
      const store = openEsdbEventStore(double4.url);
      const ingestor = createIngestor({ store, batchSize: 100, ...(memory ? { memory } : {}) });
      const file = path.join(sandbox.dir, `decided-${memory ? 'few' : 'all'}.ndjson`);
      try {
        const check = await ingestor.ingest(items, {
          source: 'interleaved',
          mode: 'partial',
          check: true,
          decided: file,
          keepOutcomes: false,
        });
        const appended = await ingestor.appendDecided(file);
        // Everything again: each line a duplicate, each stream read again.
        const again = await ingestor.ingest(items, {
          source: 'interleaved',
          mode: 'partial',
          keepOutcomes: false,
        });
        const log: string[] = [];
        for await (const e of store.readAll()) log.push(`${e.stream} ${e.revision} ${e.id}`);
        return {
          check: [check.checked, check.rejected],
          appended,
          again: [again.appended, again.duplicates, again.rejected],
          log,
        };
      } finally {
        ingestor.close();
        await store.close();
        await double4.stop();
      }
    };
    const all = await importInto();
    const few = await importInto({ streams: 5, storedEvents: 40 });
    expect(all.check).toEqual([events.length, 0]);
    expect(all.appended).toEqual({ appended: events.length });
    expect(all.again).toEqual([0, events.length, 0]);
    expect(few.check).toEqual(all.check);
    expect(few.appended).toEqual(all.appended);
    expect(few.again).toEqual(all.again);
    expect(few.log).toEqual(all.log);
  }, 120_000);
});
