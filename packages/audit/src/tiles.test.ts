import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { AuditLog } from './audit-log.js';
import { hashLeaf } from './hash.js';
import { LogView } from './log-view.js';
import { MerkleTree } from './merkle-tree.js';
import { generateSigningKey } from './signing-key.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';
import {
  type TileRef,
  entryBundle,
  formatTilePath,
  parseEntryBundle,
  parseTilePath,
  tileBytes,
  tileInTree,
} from './tiles.js';

describe('C2SP tlog-tiles paths', () => {
  it.each([
    ['tile/0/000', { level: 0, index: 0, width: 256 }],
    ['tile/3/x001/x234/067', { level: 3, index: 1234067, width: 256 }],
    ['tile/0/x001/x234/067.p/8', { level: 0, index: 1234067, width: 8 }],
    ['tile/entries/005.p/255', { level: 'entries', index: 5, width: 255 }],
  ] as [string, TileRef][])('%s', (p, tile) => {
    expect(parseTilePath(p)).toEqual({ ok: true, tile });
    expect(formatTilePath(tile)).toBe(p);
  });

  it.each([
    'tile/64/000',
    'tile/01/000',
    'tile/0/1',
    'tile/0/001/002',
    'tile/0/x001',
    'tile/0/000.p/0',
    'tile/0/000.p/256',
    'tile/0/000.p/08',
    'tile/0/000.p',
    'tile/x/000',
  ])('refuses %s', (p) => {
    expect(parseTilePath(p).ok).toBe(false);
  });

  it('has the tiles of the spec’s example: a tree of 70,000', () => {
    const has = (level: number, index: number, width = 256) =>
      tileInTree({ level, index, width }, 70_000);
    expect(has(0, 272)).toBe(true);
    expect(has(0, 273)).toBe(false);
    expect(has(0, 273, 112)).toBe(true);
    expect(has(0, 273, 113)).toBe(false);
    expect(has(1, 0)).toBe(true);
    expect(has(1, 1, 17)).toBe(true);
    expect(has(1, 1)).toBe(false);
    expect(has(2, 0, 1)).toBe(true);
    expect(has(2, 0, 2)).toBe(false);
  });

  it('holds leaf hashes at level 0 and roots of 256-leaf subtrees at level 1', () => {
    const tree = new MerkleTree();
    for (let i = 0; i < 600; i++) tree.append(hashLeaf(Buffer.from(`leaf ${i}`)));
    const level0 = tileBytes(tree, 0, 1, 256);
    expect(level0.subarray(32, 64)).toEqual(hashLeaf(Buffer.from('leaf 257')));
    const level1 = tileBytes(tree, 1, 0, 2);
    expect(level1.subarray(0, 32)).toEqual(tree.rootAt(256));
    expect(level1.subarray(32)).toEqual(tree.subtreeHash(256, 256));
    expect(() => tree.subtreeHash(100, 256)).toThrow(RangeError);
  });

  it('bundles entries behind big-endian uint16 lengths', () => {
    const bundle = entryBundle([Buffer.from('ab'), Buffer.alloc(0), Buffer.from('ç')]);
    expect(bundle.toString('hex')).toBe('000261620000' + '0002c3a7');
    expect(parseEntryBundle(bundle).map((b) => b.toString())).toEqual(['ab', '', 'ç']);
    expect(() => parseEntryBundle(bundle.subarray(0, 3))).toThrow(/cut short/);
  });
});

describe('LogView', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-logview-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to publish a tree whose leaf table does not hash to the latest checkpoint', async () => {
    const store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
    for (let i = 0; i < 5; i++)
      await store.append(
        `unit-u${i}`,
        [
          {
            id: `40000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            type: 'UnitRegistered',
            data: {
              unitId: `u${i}`,
              name: 'x',
              kind: 'other',
              area: 'a',
              registeredOn: '2020-01-01',
            },
          },
        ],
        'no-stream',
      );
    const file = path.join(dir, 'audit.sqlite');
    const audit = SqliteAuditStore.open(file);
    const key = generateSigningKey('nhagiao.test/view');
    await new AuditLog(store, audit).checkpoint(key.privateKey, {
      origin: key.name,
      now: new Date('2026-01-01T00:00:00Z'),
      reason: 'on-demand',
    });
    audit.close();
    await store.close();

    const view = LogView.open(file);
    expect(view.published().checkpoint.size).toBe(5);
    view.close();
    const db = new Database(file);
    db.prepare('UPDATE leaves SET hash = ? WHERE idx = 2').run(Buffer.alloc(32, 7));
    db.close();
    const reopened = LogView.open(file);
    expect(() => reopened.published()).toThrow(/does not hash to checkpoint #1/);
    reopened.close();
  });
});
