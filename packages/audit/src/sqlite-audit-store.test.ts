import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteAuditStore } from './sqlite-audit-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-audit-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An audit file whose leaf table holds `count` leaves written straight into SQLite. */
const fileWithLeaves = (count: number, position: (i: number) => bigint) => {
  const file = path.join(dir, 'audit.sqlite');
  SqliteAuditStore.open(file).close();
  const db = new Database(file);
  const hashes = Array.from({ length: count }, () => randomBytes(32));
  const insert = db.prepare('INSERT INTO leaves (idx, position, hash) VALUES (?, ?, ?)');
  db.transaction(() => hashes.forEach((h, i) => insert.run(i, position(i), h)))();
  db.close();
  return { file, hashes };
};

describe('SqliteAuditStore opening its leaf table', () => {
  it('loads every leaf with its position, across read chunks, positions beyond 2^53 exact', () => {
    const big = 2n ** 60n;
    const { file, hashes } = fileWithLeaves(25_003, (i) => big + BigInt(3 * i));
    const audit = SqliteAuditStore.open(file, { readOnly: true });
    expect(audit.leaves.size).toBe(25_003);
    expect(audit.leaves.committed).toBe(25_003);
    for (const i of [0, 1, 9_999, 10_000, 19_999, 20_000, 25_002]) {
      expect(audit.leaves.get(i).equals(hashes[i]!)).toBe(true);
      expect(audit.leaves.positionOf(i)).toBe(big + BigInt(3 * i));
      expect(audit.leaves.indexOf(big + BigInt(3 * i))).toBe(i);
    }
    expect(audit.leaves.indexOf(big + 1n)).toBeUndefined();
    audit.close();
  });

  it('an empty leaf table opens empty', () => {
    const { file } = fileWithLeaves(0, BigInt);
    const audit = SqliteAuditStore.open(file, { readOnly: true });
    expect(audit.leaves.size).toBe(0);
    audit.close();
  });

  it.each([0, 5, 9_999, 10_000, 14_999])(
    'names a gap in the leaf table (leaf %i deleted)',
    (gone) => {
      const { file } = fileWithLeaves(15_000, (i) => BigInt(i + 1));
      const db = new Database(file);
      db.prepare('DELETE FROM leaves WHERE idx = ?').run(gone);
      // A leaf beyond the end, so a gap at the last index is a gap too.
      db.prepare('INSERT INTO leaves (idx, position, hash) VALUES (?, ?, ?)').run(
        15_001,
        20_000,
        randomBytes(32),
      );
      db.close();
      expect(() => SqliteAuditStore.open(file, { readOnly: true })).toThrow(
        `audit leaf table has a gap at index ${gone}`,
      );
    },
  );
});

describe('SqliteAuditStore reading its leaves', () => {
  it('reads them on first use, not at open; a table found damaged then fails every use', () => {
    const { file } = fileWithLeaves(12_000, (i) => BigInt(i + 1));
    const audit = SqliteAuditStore.open(file, { readOnly: true });
    // Changed after the open: a store that had read its leaves at open would not see it.
    const db = new Database(file);
    db.prepare('DELETE FROM leaves WHERE idx = 10500').run();
    db.close();
    expect(audit.checkpoints()).toEqual([]);
    expect(() => audit.leaves.size).toThrow(
      'audit leaf table changed while being read, at index 10000',
    );
    expect(() => audit.leaves.get(0)).toThrow('changed while being read');
    audit.close();
    // Read whole, once, on first use.
    rmSync(file);
    const intact = fileWithLeaves(3, (i) => BigInt(i + 1));
    const again = SqliteAuditStore.open(intact.file, { readOnly: true });
    expect(again.leaves.get(2).equals(intact.hashes[2]!)).toBe(true);
    expect(again.leaves.size).toBe(3);
    again.close();
  });
});

describe('SqliteAuditStore.latestCheckpointIn', () => {
  it('reads the latest saved checkpoint without the leaf table, which it does not check', () => {
    const { file } = fileWithLeaves(3, (i) => BigInt(i + 1));
    expect(SqliteAuditStore.latestCheckpointIn(file)).toBeUndefined();
    const audit = SqliteAuditStore.open(file);
    audit.saveCheckpoint(2, 'note of 2\n', 'on-demand', '2026-01-01T00:00:00Z');
    const latest = audit.saveCheckpoint(
      3,
      'note of 3\n',
      'report-submission',
      '2026-01-02T00:00:00Z',
    );
    expect(audit.latestCheckpoint()).toEqual(latest);
    audit.close();
    // A leaf table that would not open (a gap) does not stop it: the leaves are not read.
    const db = new Database(file);
    db.prepare('DELETE FROM leaves WHERE idx = 1').run();
    db.close();
    expect(() => SqliteAuditStore.open(file, { readOnly: true })).toThrow('gap at index 1');
    expect(SqliteAuditStore.latestCheckpointIn(file)).toEqual(latest);
  });
});
