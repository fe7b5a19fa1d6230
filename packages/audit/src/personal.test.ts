import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { AuditLog } from './audit-log.js';
import { verifyCheckpoint } from './checkpoint.js';
import { LogView } from './log-view.js';
import { generateSigningKey } from './signing-key.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';
import { parseEntryBundle } from './tiles.js';
import { verifyInclusion } from './verify.js';
import { verifyLogAgainstCheckpoints } from './verify-log.js';

const key = generateSigningKey('nhagiao.test/personal');
const now = new Date('2026-02-01T00:00:00Z');
const ID = '50000000-0000-4000-8000-000000000001';

describe('erasing a person’s data', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-personal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('breaks neither the tree, nor the checkpoint, nor any proof', async () => {
    const storeFile = path.join(dir, 'events.sqlite');
    const store = openSqliteEventStore(storeFile);
    await store.append(
      'teacher-t1',
      [
        {
          id: ID,
          type: 'TeacherRegistered',
          data: {
            teacherId: 't1',
            fullName: 'Lường Thị Hà',
            birthDate: '1990-03-04',
            ethnicity: 'Tày',
          },
        },
      ],
      'no-stream',
    );
    await store.append(
      'teacher-t2',
      [
        {
          id: '50000000-0000-4000-8000-000000000002',
          type: 'TeacherRegistered',
          data: { teacherId: 't2', fullName: 'Ma Văn Tú' },
        },
      ],
      'no-stream',
    );
    const file = path.join(dir, 'audit.sqlite');
    const audit = SqliteAuditStore.open(file);
    const saved = await new AuditLog(store, audit).checkpoint(key.privateKey, {
      origin: key.name,
      now,
      reason: 'on-demand',
    });
    expect(Object.keys(audit.salts.get(ID)?.commitments ?? {}).sort()).toEqual([
      'birthDate',
      'ethnicity',
      'fullName',
    ]);
    // The entry an auditor fetches holds no personal data in clear.
    const view = LogView.open(file);
    const bundle = parseEntryBundle(
      await view.entryBundle(store, { level: 'entries', index: 0, width: 2 }),
    );
    expect(bundle.map((b) => b.toString())).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/Lường|1990|Tày/)]),
    );
    view.close();

    // Erased: the salt in the audit file, the fields in the event store.
    expect(audit.erasePersonalData(ID)).toBe(true);
    audit.close();
    await store.close();
    const db = new Database(storeFile);
    db.prepare(
      "UPDATE events SET data = json_remove(data, '$.fullName', '$.birthDate', '$.ethnicity') WHERE id = ?",
    ).run(ID);
    db.close();

    const reopened = SqliteAuditStore.open(file, { readOnly: true });
    expect(reopened.salts.get(ID)?.salt).toBeNull();
    const erasedStore = openSqliteEventStore(storeFile, { readOnly: true });
    const report = await verifyLogAgainstCheckpoints(
      erasedStore.readAll(),
      [{ label: 'cp', note: saved.note }],
      { publicKey: key.publicKey, salts: reopened.salts, recordedLeaves: reopened.leaves },
    );
    expect(report).toMatchObject({ ok: true, coveredSize: 2, faults: [] });
    reopened.close();

    const after = LogView.open(file);
    const proof = after.inclusionProof(0);
    const signed = verifyCheckpoint(after.published().note, key.publicKey);
    if (!signed.ok) throw new Error(signed.message);
    const b64 = (s: string) => Buffer.from(s, 'base64');
    expect(
      verifyInclusion(b64(proof.leafHash), 0, 2, proof.proof.map(b64), signed.checkpoint.rootHash),
    ).toBe(true);
    // The erased event's entry still hashes to its leaf.
    const [entry] = parseEntryBundle(
      await after.entryBundle(erasedStore, { level: 'entries', index: 0, width: 2 }),
    );
    expect(JSON.parse(entry?.toString() ?? '{}')).toMatchObject({ eventId: ID });
    after.close();
    await erasedStore.close();
  });

  it('refuses an audit file whose leaves were hashed in the earlier format, saying how to move on', () => {
    const file = path.join(dir, 'audit.sqlite');
    const db = new Database(file);
    db.exec(
      'CREATE TABLE leaves (idx INTEGER PRIMARY KEY, position INTEGER NOT NULL UNIQUE, hash BLOB NOT NULL)',
    );
    db.prepare('INSERT INTO leaves VALUES (0, 1, ?)').run(Buffer.alloc(32));
    db.close();
    expect(() => SqliteAuditStore.open(file)).toThrow(
      /leaf format 1, not 2 .*move it aside, and start the log again/,
    );
  });
});
