import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { fileQuarantine } from './quarantine.js';
import { createIngestor } from './ingestor.js';
import { arrayItems, ndjsonItems } from './lines.js';
import { hire, id, leave, teacher, unit } from './test-support/envelopes.js';

describe('Ingestor on the SQLite store', () => {
  let dir: string;
  let store: EventStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-ingest-'));
    store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const all = async () => {
    const events = [];
    for await (const e of store.readAll()) events.push(e);
    return events;
  };

  it('appends a valid submission in order and reports positions', async () => {
    const ingestor = createIngestor({ store });
    const items = [unit('u1'), teacher('t1'), hire('t1', 'u1')];
    const report = await ingestor.ingest(arrayItems(items), { source: 'test' });
    expect(report).toMatchObject({ appended: 3, duplicates: 0, rejected: 0 });
    expect(report.items.map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect((await all()).map((e) => e.id)).toEqual(items.map((i) => i.id));
  });

  it('is all or nothing: one rejected line and nothing of the file is appended', async () => {
    const quarantineFile = path.join(dir, 'quarantine.ndjson');
    const quarantine = fileQuarantine(quarantineFile);
    const ingestor = createIngestor({ store, quarantine, batchSize: 2 });
    const items = [
      unit('u1'),
      teacher('t1'),
      hire('t1', 'u1'),
      teacher('t2'),
      hire('t2', 'nowhere'),
      leave('t1', '2019-01-01'),
    ];
    const report = await ingestor.ingest(arrayItems(items), { source: 'file.ndjson' });
    expect(report.appended).toBe(0);
    expect(report.rejected).toBe(2);
    expect(report.items.filter((o) => o.status === 'rejected').map((o) => o.line)).toEqual([5, 6]);
    expect(report.items.filter((o) => o.status === 'not-appended').map((o) => o.line)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(await all()).toEqual([]);
    const kept = quarantine.list();
    expect(kept.map((e) => e.line).sort()).toEqual([5, 6]);
    expect(kept.find((e) => e.line === 5)?.issues[0]?.path).toBe('data.unitId');
    // The state of a rolled-back submission is forgotten: the same events go in afterwards.
    const again = await ingestor.ingest(arrayItems(items.slice(0, 4)), { source: 'fixed.ndjson' });
    expect(again.appended).toBe(4);
  });

  it('drops a quarantined rejection once the same event is sent again, fixed, and accepted', async () => {
    const quarantine = fileQuarantine(path.join(dir, 'quarantine.ndjson'));
    const ingestor = createIngestor({ store, quarantine });
    const wrong = hire('t2', 'nowhere');
    const other = hire('t3', 'nowhere');
    const sent = [unit('u1'), teacher('t2'), teacher('t3'), wrong, other];
    const first = await ingestor.ingest(arrayItems(sent), { source: 'a', mode: 'partial' });
    expect(first).toMatchObject({ appended: 3, rejected: 2 });
    expect(quarantine.list().map((e) => e.eventId)).toEqual([other.id, wrong.id]);
    // The id is compared in its canonical form, whatever case it is sent in.
    const fixed = { ...hire('t2', 'u1'), id: wrong.id.toUpperCase() };
    const second = await ingestor.ingest(arrayItems([fixed]), { source: 'b' });
    expect(second.appended).toBe(1);
    expect(quarantine.list().map((e) => e.eventId)).toEqual([other.id]);
    // A rolled-back submission resolves nothing.
    const fixedOther = { ...hire('t3', 'u1'), id: other.id };
    const rolledBack = await ingestor.ingest(arrayItems([fixedOther, hire('t9', 'u1')]), {
      source: 'c',
    });
    expect(rolledBack.appended).toBe(0);
    expect(quarantine.list().map((e) => e.eventId)).toContain(other.id);
  });

  it('in partial mode appends the valid items and rejects the rest', async () => {
    const ingestor = createIngestor({ store });
    const items = [unit('u1'), teacher('t1'), hire('t1', 'nowhere'), hire('t1', 'u1')];
    const report = await ingestor.ingest(arrayItems(items), { source: 'test', mode: 'partial' });
    expect(report).toMatchObject({ appended: 3, rejected: 1 });
    expect((await all()).length).toBe(3);
  });

  it('reports the same event again as a duplicate and the same id with other content as a conflict', async () => {
    const ingestor = createIngestor({ store });
    const u = unit('u1');
    await ingestor.ingest(arrayItems([u]), { source: 'a' });
    const dup = await ingestor.ingest(arrayItems([u]), { source: 'b' });
    expect(dup.items[0]).toMatchObject({
      status: 'duplicate',
      position: (await all())[0]?.position,
    });
    const conflict = await ingestor.ingest(
      arrayItems([{ ...u, data: { ...u.data, name: 'Khác' } }]),
      { source: 'c' },
    );
    expect(conflict.items[0]).toMatchObject({ status: 'rejected', code: 'id-conflict' });
    // Within one submission: the second copy is a duplicate of the first.
    const t = teacher('t9');
    const inFile = await ingestor.ingest(arrayItems([t, t]), { source: 'd' });
    expect(inFile.items.map((o) => o.status)).toEqual(['accepted', 'duplicate']);
    expect((await all()).length).toBe(2);
  });

  it('finds a duplicate or a conflict wherever its first copy is in a large submission', async () => {
    const ingestor = createIngestor({ store, batchSize: 100 });
    // Far more items than are looked up at once, appended in batches along the way.
    const teachers = Array.from({ length: 1200 }, (_, i) => teacher(`t${i}`));
    const first = teachers[0] as ReturnType<typeof teacher>;
    const late = teachers[1100] as ReturnType<typeof teacher>;
    const items = [
      ...teachers,
      first,
      late,
      { ...first, data: { ...first.data, fullName: 'Khác' } },
      // Within one chunk: a copy of an item not yet appended, then of one the chunk looked up before.
      teacher('x1'),
    ];
    const x1 = items[items.length - 1] as ReturnType<typeof teacher>;
    items.push(x1, late);
    const report = await ingestor.ingest(arrayItems(items), {
      source: 'big.ndjson',
      mode: 'partial',
    });
    expect(report).toMatchObject({ appended: 1201, duplicates: 4, rejected: 1 });
    const stored = await all();
    const positionOf = (eventId: string) => stored.find((e) => e.id === eventId)?.position;
    expect(report.items.slice(1200)).toMatchObject([
      { line: 1201, status: 'duplicate', position: positionOf(first.id) },
      { line: 1202, status: 'duplicate', position: positionOf(late.id) },
      { line: 1203, status: 'rejected', code: 'id-conflict' },
      { line: 1204, status: 'accepted', id: x1.id },
      { line: 1205, status: 'duplicate', position: positionOf(x1.id) },
      { line: 1206, status: 'duplicate', position: positionOf(late.id) },
    ]);
    expect(stored.map((e) => e.id)).toEqual([...teachers, x1].map((t) => t.id));
  });

  it('keeps every rejected line of a long file in the quarantine, in order', async () => {
    const file = path.join(dir, 'quarantine.ndjson');
    const quarantine = fileQuarantine(file);
    const ingestor = createIngestor({ store, quarantine });
    const lines = Array.from({ length: 2500 }, (_, i) => hire(`t${i}`, 'u1'));
    const report = await ingestor.ingest(arrayItems([unit('u1'), ...lines]), { source: 'bad' });
    expect(report.rejected).toBe(2500);
    const kept = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; code: string });
    expect(kept.map((e) => e.line)).toEqual(lines.map((_, i) => i + 2));
    expect(new Set(kept.map((e) => e.code))).toEqual(new Set(['unknown-teacher']));
    expect(await all()).toHaveLength(0);
  });

  it('reads NDJSON with line numbers, skipping blank lines and reporting bad JSON', async () => {
    const ingestor = createIngestor({ store });
    const text = `${JSON.stringify(unit('u1'))}\n\n{"id": oops}\n${JSON.stringify(teacher('t1'))}\r\n`;
    const report = await ingestor.ingest(ndjsonItems(Readable.from([text])), {
      source: 'x.ndjson',
    });
    expect(report.items.find((o) => o.status === 'rejected')).toMatchObject({
      line: 3,
      code: 'invalid-json',
    });
    expect(report.appended).toBe(0);
  });

  it('limits an integrator to its units', async () => {
    const ingestor = createIngestor({ store });
    await ingestor.ingest(arrayItems([unit('u1'), unit('u2'), teacher('t1'), hire('t1', 'u2')]), {
      source: 'admin',
    });
    const actor = { id: 'key-u1', role: 'integrator' as const, units: new Set(['u1']) };
    const report = await ingestor.ingest(
      arrayItems([teacher('t2'), hire('t2', 'u2'), leave('t1', '2024-01-01')]),
      {
        source: 'api',
        actor,
        mode: 'partial',
      },
    );
    expect(report.items.map((o) => o.status)).toEqual(['accepted', 'rejected', 'rejected']);
    expect(report.items[1]).toMatchObject({ code: 'forbidden' });
    const stored = await all();
    // The key and its authority are recorded with the event, by the ingestor itself.
    expect(stored[stored.length - 1]?.metadata).toEqual({
      submittedBy: 'key-u1',
      submittedAs: 'integrator:u1',
    });
  });

  it('reads streams again after a failed partial submission on a store without transactions', async () => {
    // The real store with its transactions hidden, as EventStoreDB has none, and one append lost.
    const { transaction, ...rest } = store;
    expect(transaction).toBeDefined();
    let calls = 0;
    let failAt = -1;
    const untransacted: EventStore = {
      ...rest,
      appendBatch: async (writes) => {
        if (++calls === failAt) throw new Error('connection lost');
        return store.appendBatch(writes);
      },
    };
    const ingestor = createIngestor({ store: untransacted, batchSize: 1 });
    await ingestor.ingest(arrayItems([unit('u1'), teacher('t1')]), { source: 'a' });
    // Items are decided 500 at a time: the first 500 (with the hire) are appended,
    // the append of the rest (the leave) fails.
    const hired = hire('t1', 'u1');
    const others = Array.from({ length: 499 }, (_, i) => teacher(`t${i + 2}`));
    failAt = calls + 2;
    const partial = ingestor.ingest(arrayItems([hired, ...others, leave('t1', '2024-06-01')]), {
      source: 'b',
      mode: 'partial',
    });
    await expect(partial).rejects.toThrow('connection lost');
    expect((await all()).map((e) => e.id)).toContain(hired.id);
    // The hire is in the store, so t1 is employed and may leave.
    const report = await ingestor.ingest(arrayItems([leave('t1', '2024-06-01')]), { source: 'c' });
    expect(report.items.map((o) => o.status)).toEqual(['accepted']);
  });

  it('checks a retraction of an event accepted in an earlier window of the same check', async () => {
    // A store without transactions: a large file is checked whole first, appending nothing.
    const { transaction, ...untransacted } = store;
    expect(transaction).toBeDefined();
    const ingestor = createIngestor({ store: untransacted, batchSize: 1 });
    const left = leave('t1', '2024-06-01');
    const retract = {
      id: id(),
      type: 'EventRetracted',
      data: { teacherId: 't1', eventId: left.id, reason: 'nhập nhầm' },
    };
    // Decided 500 at a time: the leave is in the first window, its retraction in the second.
    const others = Array.from({ length: 500 }, (_, i) => teacher(`t${i + 2}`));
    const items = [unit('u1'), teacher('t1'), hire('t1', 'u1'), left, ...others, retract];
    const checked = await ingestor.ingest(arrayItems([...items, leave('t1', '2025-01-01')]), {
      source: 'a',
      mode: 'partial',
      check: true,
    });
    expect(checked.rejected).toBe(0);
    expect(checked.checked).toBe(items.length + 1);
    expect(await all()).toEqual([]);
  });

  it('decides a retraction against the stored stream and the submission so far', async () => {
    const ingestor = createIngestor({ store, batchSize: 1 });
    const left = leave('t1', '2024-06-01');
    await ingestor.ingest(arrayItems([unit('u1'), teacher('t1'), hire('t1', 'u1'), left]), {
      source: 'a',
    });
    const retract = {
      id: id(),
      type: 'EventRetracted',
      data: { teacherId: 't1', eventId: left.id, reason: 'nhập nhầm' },
    };
    // After the retraction the teacher is employed again, so a second leave is accepted. A fresh
    // ingestor (a new process) must load what the replayed stream refers to (unit u1) by itself.
    const fresh = createIngestor({ store });
    const report = await fresh.ingest(arrayItems([retract, leave('t1', '2025-01-01')]), {
      source: 'b',
    });
    expect(report.items.map((o) => o.status)).toEqual(['accepted', 'accepted']);
  });
});
