import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import Database from 'better-sqlite3';
import { AuditLog, InconsistentTreeError, findLoggedEvent } from './audit-log.js';
import { verifyCheckpoint } from './checkpoint.js';
import { fromHex } from './hash.js';
import { generateSigningKey } from './signing-key.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

let dir: string;
let store: EventStore;
const key = generateSigningKey('nhagiao.test/audit');
const now = new Date('2026-01-15T01:00:00Z');

const appendUnits = async (from: number, count: number): Promise<void> => {
  for (let i = from; i < from + count; i++) {
    await store.append(
      `unit-u${i}`,
      [
        {
          id: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          type: 'UnitRegistered',
          data: {
            unitId: `u${i}`,
            name: `Đơn vị ${i}`,
            kind: 'other',
            area: 'a',
            registeredOn: '2020-01-01',
          },
        },
      ],
      'no-stream',
    );
  }
};

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-audit-'));
  store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
  await appendUnits(0, 20);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AuditLog over a SQLite store and audit file', () => {
  it('persists the leaf table, so a reopened log has the same tree and only syncs what is new', async () => {
    const file = path.join(dir, 'audit.sqlite');
    const first = SqliteAuditStore.open(file);
    const log = new AuditLog(store, first);
    expect(await log.sync()).toBe(20);
    const root = log.tree.root();
    first.close();

    await appendUnits(20, 5);
    const reopened = SqliteAuditStore.open(file);
    const again = new AuditLog(store, reopened);
    expect(again.size).toBe(20);
    expect(again.tree.rootAt(20).equals(root)).toBe(true);
    expect(await again.sync()).toBe(5);
    expect(again.size).toBe(25);
    expect(again.positionOf(24)).toBe(25n);
    expect(again.indexOf(25n)).toBe(24);
    // Every leaf is found at its own index, and a position never logged at none.
    for (let i = 0; i < again.size; i++) expect(again.indexOf(again.positionOf(i)!)).toBe(i);
    expect(again.indexOf(0n)).toBeUndefined();
    expect(again.indexOf(26n)).toBeUndefined();
    reopened.close();
  });

  it('signs checkpoints that verify, proves inclusion against the latest and consistency between two', async () => {
    const audit = SqliteAuditStore.open(path.join(dir, 'audit.sqlite'));
    const log = new AuditLog(store, audit);
    const a = await log.checkpoint(key.privateKey, { origin: key.name, now, reason: 'on-demand' });
    await appendUnits(20, 7);
    const b = await log.checkpoint(key.privateKey, {
      origin: key.name,
      now,
      reason: 'report-submission',
    });
    expect(audit.checkpoints().map((c) => [c.id, c.size, c.reason])).toEqual([
      [1, 20, 'on-demand'],
      [2, 27, 'report-submission'],
    ]);
    const va = verifyCheckpoint(a.note, key.publicKey);
    const vb = verifyCheckpoint(b.note, key.publicKey);
    if (!va.ok || !vb.ok) throw new Error('checkpoints must verify');

    const event = await findLoggedEvent(store, { id: '20000000-0000-4000-8000-000000000003' });
    if (event === undefined) throw new Error('event not found');
    const evidence = log.prove(event);
    expect(evidence).toMatchObject({ index: 3, treeSize: 27, verified: true, checkpoint: b.note });
    expect(
      verifyInclusion(
        fromHex(evidence.leafHash),
        3,
        27,
        evidence.proof.map(fromHex),
        vb.checkpoint.rootHash,
      ),
    ).toBe(true);

    const c = log.consistency(20, 27);
    expect(
      verifyConsistency(
        20,
        27,
        va.checkpoint.rootHash,
        vb.checkpoint.rootHash,
        c.proof.map(fromHex),
      ),
    ).toBe(true);
    audit.close();
  });

  it('refuses to prove an event that no checkpoint covers yet', async () => {
    const audit = SqliteAuditStore.open(path.join(dir, 'audit.sqlite'));
    const log = new AuditLog(store, audit);
    await log.checkpoint(key.privateKey, { origin: key.name, now, reason: 'on-demand' });
    await appendUnits(20, 1);
    await log.sync();
    const late = await findLoggedEvent(store, { position: 21n });
    if (late === undefined) throw new Error('event not found');
    expect(() => log.prove(late)).toThrow(/after the latest checkpoint/);
    // A checkpoint made since is the one proved against (the parsed latest is not kept past it).
    const next = await log.checkpoint(key.privateKey, {
      origin: key.name,
      now,
      reason: 'on-demand',
    });
    expect(log.prove(late)).toMatchObject({
      index: 20,
      treeSize: 21,
      verified: true,
      checkpoint: next.note,
    });
    audit.close();
  });

  it('signs a new checkpoint only once the tree is proven consistent with the previous one', async () => {
    const file = path.join(dir, 'audit.sqlite');
    const audit = SqliteAuditStore.open(file);
    const log = new AuditLog(store, audit);
    await log.checkpoint(key.privateKey, { origin: key.name, now, reason: 'on-demand' });
    audit.close();
    // The recorded leaf of event 5 is overwritten: the tree no longer extends checkpoint #1.
    const db = new Database(file);
    db.prepare('UPDATE leaves SET hash = ? WHERE idx = 5').run(Buffer.alloc(32, 9));
    db.close();
    await appendUnits(20, 3);
    const reopened = SqliteAuditStore.open(file);
    const again = new AuditLog(store, reopened);
    await expect(
      again.checkpoint(key.privateKey, { origin: key.name, now, reason: 'on-demand' }),
    ).rejects.toThrow(
      new InconsistentTreeError(
        'the tree of 23 events is not consistent with checkpoint #1 (20 events, signed 2026-01-15T01:00:00.000Z): the recorded leaves up to 20 no longer hash to its root, so nothing is signed',
        20,
      ),
    );
    expect(reopened.checkpoints()).toHaveLength(1);
    reopened.close();
  });
});
