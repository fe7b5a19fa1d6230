import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MerkleTree, eventLeafHash, signCheckpoint } from '@nhagiao/audit';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { cliSandbox, ev } from '../test-support/run.js';

type Sandbox = ReturnType<typeof cliSandbox>;

interface VerifyJson {
  ok: boolean;
  replay: {
    ok: boolean;
    differences: { indicator: string; scope: string; position: string | null }[];
  };
  log: {
    ok: boolean;
    logSize: number;
    coveredSize: number;
    unsignedTail: { events: number; firstPosition: string | null } | null;
    checkpoints: {
      label: string;
      status: string;
      consistency: { with: string; size: number; proofHashes: number; consistent: boolean } | null;
    }[];
    faults: {
      kind: string;
      position?: string;
      positions?: string[];
      index?: number;
      text: string;
    }[];
  };
  reports: {
    ok: boolean;
    checked: {
      matchesAtSubmission: boolean;
      correctionsSince: { indicator: string; events: { eventId: string; position: string }[] }[];
    }[];
  };
}

const sandboxes: Sandbox[] = [];
let base: Sandbox;
let size = 0;
/** The checkpoint of the base data dir, as an auditor keeps it. */
let baseNote = '';

/** A copy of the verified, checkpointed base data dir, to tamper with. */
const copy = (): Sandbox => {
  const s = cliSandbox();
  sandboxes.push(s);
  cpSync(base.dir, s.dir, { recursive: true });
  return s;
};

const tamper = (s: Sandbox, sql: (db: Database.Database) => void): void => {
  const db = new Database(path.join(s.dir, 'events.sqlite'));
  try {
    sql(db);
  } finally {
    db.close();
  }
};

const verify = async (
  s: Sandbox,
  ...args: string[]
): Promise<{ code: number; json: VerifyJson }> => {
  const r = await s.run(['verify', '--format', 'json', ...args]);
  return { code: r.code, json: JSON.parse(r.stdout) as VerifyJson };
};

beforeAll(async () => {
  base = cliSandbox();
  sandboxes.push(base);
  expect((await base.run(['demo', '--teachers', '25'])).code).toBe(0);
  expect((await base.run(['signing', 'init'])).code).toBe(0);
  const cp = await base.run(['audit', 'checkpoint']);
  expect(cp.code).toBe(0);
  size = Number(cp.stdout.split('\n')[1]);
  baseNote = cp.stdout;
}, 60_000);

afterAll(() => {
  for (const s of sandboxes) s.cleanup();
});

describe('nhagiao verify', () => {
  it('an untouched, checkpointed log verifies with exit 0', async () => {
    const { code, json } = await verify(copy());
    expect(code).toBe(0);
    expect(json.ok).toBe(true);
    expect(json.log.coveredSize).toBe(size);
    expect(json.log.checkpoints).toEqual([expect.objectContaining({ status: 'ok' })]);
  });

  it('names the position of an event whose data was changed in the file', async () => {
    const s = copy();
    tamper(s, (db) =>
      db
        .prepare(
          `UPDATE events SET data = json_set(data, '$.awardedOn', '2001-01-01') WHERE position = (SELECT min(position) FROM events WHERE type = 'DegreeAwarded')`,
        )
        .run(),
    );
    const changed = new Database(path.join(s.dir, 'events.sqlite'))
      .prepare(`SELECT min(position) AS p FROM events WHERE type = 'DegreeAwarded'`)
      .get() as { p: number };
    const { code, json } = await verify(s);
    expect(code).toBe(3);
    expect(json.log.faults).toEqual([
      expect.objectContaining({ kind: 'event-changed', position: String(changed.p) }),
    ]);
    expect(json.log.checkpoints[0]?.status).toBe('root-mismatch');
  });

  it('names a deleted event', async () => {
    const s = copy();
    tamper(s, (db) => db.prepare('DELETE FROM events WHERE position = 100').run());
    const { code, json } = await verify(s);
    expect(code).toBe(3);
    const deleted = json.log.faults.find((f) => f.kind === 'event-deleted');
    expect(deleted).toEqual(expect.objectContaining({ index: 99, nextPosition: '101' }));
    expect(deleted?.text).toContain('position 101 now in its place');
    // The log is now one shorter than what was signed, and says so.
    expect(json.log.faults.map((f) => f.kind).sort()).toEqual(['event-deleted', 'log-truncated']);
  });

  // Each leaf binds its event to its position, so two events swapped in place are
  // two events changed: both positions are named.
  it('names both positions of two events swapped in the log', async () => {
    const s = copy();
    tamper(s, (db) => {
      // Swap every column but the position between positions 200 and 201.
      db.transaction(() => {
        db.prepare('UPDATE events SET position = -1 WHERE position = 200').run();
        db.prepare('UPDATE events SET position = 200 WHERE position = 201').run();
        db.prepare('UPDATE events SET position = 201 WHERE position = -1').run();
      })();
    });
    const { code, json } = await verify(s);
    expect(code).toBe(3);
    expect(json.log.faults.map((f) => [f.kind, f.position])).toEqual([
      ['event-changed', '200'],
      ['event-changed', '201'],
    ]);
  });

  it('flags an event appended without a signed checkpoint, at its position', async () => {
    const s = copy();
    tamper(s, (db) =>
      db
        .prepare(
          `INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at)
           VALUES ('10000000-0000-4000-8000-999999999999', 'unit-forged', 0, 'UnitRegistered',
                   '{"unitId":"forged","name":"Forged","kind":"other","area":"x","registeredOn":"2020-01-01"}', '{}', '2030-01-01T00:00:00.000Z')`,
        )
        .run(),
    );
    const { code, json } = await verify(s);
    expect(code).toBe(3);
    expect(json.log.checkpoints.every((c) => c.status === 'ok')).toBe(true);
    expect(json.log.unsignedTail).toEqual({ events: 1, firstPosition: String(size + 1) });
    // A forged checkpoint made without the private key does not help.
    const forger = (await import('@nhagiao/audit')).generateSigningKey('nhagiao/bac-kan-423-2024');
    const store = openSqliteEventStore(path.join(s.dir, 'events.sqlite'), { readOnly: true });
    const tree = new MerkleTree();
    for await (const e of store.readAll()) tree.append(eventLeafHash(e));
    await store.close();
    const file = path.join(s.dir, 'forged.cp');
    writeFileSync(
      file,
      signCheckpoint(
        {
          origin: forger.name,
          size: tree.size,
          rootHash: tree.root(),
          time: '2030-01-01T00:00:00Z',
        },
        forger.privateKey,
      ),
    );
    const forged = await verify(s, '--checkpoint', file);
    expect(forged.code).toBe(3);
    expect(forged.json.log.checkpoints.find((c) => c.label === file)?.status).toBe('wrong-key');
  });

  it('says where the live read model differs from a fresh replay', async () => {
    const s = copy();
    const db = new Database(path.join(s.dir, 'readmodel.v1.sqlite'));
    const row = db
      .prepare(
        `SELECT rowid, indicator, unit_id, position FROM ledger WHERE indicator = 'master-or-above' ORDER BY position LIMIT 1`,
      )
      .get() as { rowid: number; indicator: string; unit_id: string; position: number };
    db.prepare('DELETE FROM ledger WHERE rowid = ?').run(row.rowid);
    db.close();
    const { code, json } = await verify(s);
    expect(code).toBe(3);
    expect(json.replay.ok).toBe(false);
    expect(json.log.ok).toBe(true);
    expect(json.replay.differences[0]).toEqual({
      indicator: 'master-or-above',
      scope: `unit:${row.unit_id}`,
      position: String(row.position),
      live: expect.any(Number),
      replay: expect.any(Number),
    });
  });

  it('detects a truncated log', async () => {
    const s = copy();
    tamper(s, (db) => db.prepare('DELETE FROM events WHERE position > ?').run(size - 5));
    const { code, json } = await verify(s);
    expect(code).toBe(3);
    expect(json.log.checkpoints[0]?.status).toBe('beyond-log');
    expect(json.log.faults).toEqual([
      expect.objectContaining({ kind: 'log-truncated', logSize: size - 5, checkpointSize: size }),
    ]);
  });

  it('detects a checkpoint whose text no longer matches its signature', async () => {
    const s = copy();
    const db = new Database(path.join(s.dir, 'audit.sqlite'));
    db.prepare(`UPDATE checkpoints SET note = replace(note, ?, ?) WHERE id = 1`).run(
      `\n${size}\n`,
      `\n${size - 1}\n`,
    );
    db.close();
    const { code, json } = await verify(s);
    expect(code).toBe(3);
    expect(json.log.checkpoints).toEqual([
      expect.objectContaining({
        label: expect.stringContaining('saved #1'),
        status: 'bad-signature',
      }),
    ]);
  });

  it('detects a rolled-back tree: a later checkpoint for fewer events', async () => {
    const s = copy();
    const key = readFileSync(path.join(s.dir, 'audit-signing.key'), 'utf8').trim();
    const store = openSqliteEventStore(path.join(s.dir, 'events.sqlite'), { readOnly: true });
    const tree = new MerkleTree();
    for await (const e of store.readAll()) tree.append(eventLeafHash(e));
    await store.close();
    const file = path.join(s.dir, 'rolled-back.cp');
    writeFileSync(
      file,
      signCheckpoint(
        {
          origin: 'nhagiao/bac-kan-423-2024',
          size: size - 10,
          rootHash: tree.rootAt(size - 10),
          time: '2099-01-01T00:00:00Z',
        },
        key,
      ),
    );
    const { code, json } = await verify(s, '--checkpoint', file);
    expect(code).toBe(3);
    expect(json.log.checkpoints.find((c) => c.label === file)?.status).toBe('rolled-back');
  });
});

describe('verify --checkpoint', () => {
  it('proves a kept checkpoint consistent with the latest, and not once history was rewritten and signed again', async () => {
    const s = copy();
    const kept = path.join(s.dir, 'kept.cp');
    writeFileSync(kept, baseNote);
    const more = [1, 2, 3].map((i) =>
      ev('UnitRegistered', {
        unitId: `u-more-${i}`,
        name: `Đơn vị ${i}`,
        kind: 'other',
        area: 'a',
        registeredOn: '2020-01-01',
      }),
    );
    expect((await s.run(['import', s.file(more)])).code).toBe(0);
    expect((await s.run(['audit', 'checkpoint'])).code).toBe(0);
    const good = await verify(s, '--checkpoint', kept);
    expect(good.code).toBe(0);
    expect(good.json.log.checkpoints.find((c) => c.label === kept)).toMatchObject({
      status: 'ok',
      consistency: {
        size: size + 3,
        consistent: true,
        with: expect.stringMatching(/^saved #2 /),
        proofHashes: expect.any(Number),
      },
    });

    // The operator edits an old event, rebuilds the audit file from the edited log and signs it.
    tamper(s, (db) =>
      db
        .prepare(
          `UPDATE events SET data = json_set(data, '$.name', 'Đơn vị khác') WHERE position = (SELECT min(position) FROM events WHERE type = 'UnitRegistered')`,
        )
        .run(),
    );
    rmSync(path.join(s.dir, 'audit.sqlite'));
    expect((await s.run(['audit', 'checkpoint'])).code).toBe(0);
    const bad = await verify(s, '--checkpoint', kept);
    expect(bad.code).toBe(3);
    expect(bad.json.log.checkpoints.find((c) => c.label === kept)).toMatchObject({
      status: 'root-mismatch',
      consistency: { size: size + 3, consistent: false, with: expect.stringMatching(/^saved #1 /) },
    });
  });
});

describe('submitted reports under verify', () => {
  it('match as known at submission, and list a later correction with its event as known now', async () => {
    const s = copy();
    const submitted = await s.run(['report', 'submit', '--unit', 'cdbk', '--year', '2025']);
    expect(submitted.code).toBe(0);
    // A cdbk teacher counted in the denominator of master-or-above but not the numerator on 30 June.
    const trail = await s.run([
      'audit',
      'trail',
      'master-or-above',
      '--scope',
      'unit:cdbk',
      '--as-of',
      '2025-06-30',
      '--format',
      'json',
    ]);
    expect(trail.code).toBe(0);
    const rows = (
      JSON.parse(trail.stdout) as {
        rows: { teacherId: string; dNumerator: number; dDenominator: number }[];
      }
    ).rows;
    const sums = new Map<string, [number, number]>();
    for (const r of rows) {
      const [n, d] = sums.get(r.teacherId) ?? [0, 0];
      sums.set(r.teacherId, [n + r.dNumerator, d + r.dDenominator]);
    }
    const teacherId = [...sums].find(([, [n, d]]) => n === 0 && d === 1)?.[0];
    expect(teacherId).toBeDefined();
    const correction = ev('DegreeAwarded', {
      teacherId,
      degreeId: 'late-master',
      level: 'master',
      field: 'Giáo dục học',
      institution: 'ĐH Thái Nguyên',
      awardedOn: '2025-01-10',
    });
    expect((await s.run(['import', s.file([correction])])).code).toBe(0);
    expect((await s.run(['audit', 'checkpoint'])).code).toBe(0);

    const { code, json } = await verify(s);
    expect(code).toBe(0);
    const [report] = json.reports.checked;
    expect(report?.matchesAtSubmission).toBe(true);
    const moved = report?.correctionsSince.find((c) => c.indicator === 'master-or-above');
    expect(moved?.events.map((e) => e.eventId)).toContain(correction.id);
    // The report's own checkpoint is checked too.
    expect(json.log.checkpoints.some((c) => c.label.startsWith('report cdbk/2025'))).toBe(true);
  });

  it('a report whose submitted values were altered in the file no longer matches', async () => {
    const s = copy();
    expect((await s.run(['report', 'submit', '--unit', 'cdbk', '--year', '2025'])).code).toBe(0);
    tamper(s, (db) =>
      db
        .prepare(
          `UPDATE events SET data = json_set(data, '$.values[0].numerator', json_extract(data, '$.values[0].numerator') + 1) WHERE type = 'AnnualReportSubmitted'`,
        )
        .run(),
    );
    const { code, json } = await verify(s);
    expect(code).toBe(3);
    expect(json.reports.checked[0]?.matchesAtSubmission).toBe(false);
    expect(json.log.faults[0]?.kind).toBe('event-changed');
  });
});
