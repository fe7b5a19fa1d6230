import Database from 'better-sqlite3';
import { HASH_SIZE } from './hash.js';
import type { RecordedEvent } from '@nhagiao/domain';
import { type LeafHashStore, MemoryLeafHashStore } from './leaf-hash-store.js';
import { type PersonalCommitment, type PersonalSalts, newCommitment } from './personal.js';

/** Why a checkpoint was made: asked for (`audit checkpoint`, cron) or at a report submission. */
export type CheckpointReason = 'on-demand' | 'report-submission' | (string & {});

export interface SavedCheckpoint {
  /** Sequence number in the checkpoint table, from 1. */
  readonly id: number;
  readonly size: number;
  readonly note: string;
  readonly savedAt: string;
  readonly reason: CheckpointReason;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS leaves (
  idx      INTEGER PRIMARY KEY,
  position INTEGER NOT NULL UNIQUE,
  hash     BLOB    NOT NULL CHECK (length(hash) = ${HASH_SIZE})
);
CREATE TABLE IF NOT EXISTS checkpoints (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  size     INTEGER NOT NULL,
  note     TEXT    NOT NULL,
  saved_at TEXT    NOT NULL,
  reason   TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS personal_commitments (
  event_id    TEXT PRIMARY KEY,
  salt        BLOB,
  commitments TEXT NOT NULL CHECK (json_valid(commitments))
);
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS witness_sizes (
  witness TEXT PRIMARY KEY,
  size    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cosignatures (
  checkpoint_id INTEGER NOT NULL REFERENCES checkpoints (id),
  witness       TEXT    NOT NULL,
  line          TEXT    NOT NULL,
  saved_at      TEXT    NOT NULL,
  PRIMARY KEY (checkpoint_id, witness)
);
`;

interface LeafChunk {
  readonly n: number;
  readonly first: number | null;
  readonly last: number | null;
  readonly hashes: string | null;
  readonly positions: string | null;
}

const LEAVES_PER_READ = 10_000;

/**
 * The leaf hashes as they were appended, and the leaf index ↔ store position
 * map. Reads come from memory (loaded on first use, 40 bytes a leaf: a verify
 * that finds nothing to locate never reads them) because the tree asks for
 * hashes synchronously; appends are held until `commit`, which writes them in
 * one transaction.
 */
class RecordedLeaves implements LeafHashStore {
  /** Reads the table's leaves in, on first use (see `SqliteAuditStore`); then cleared. */
  #pending: ((leaves: RecordedLeaves) => void) | undefined;

  readonly #load: (leaves: RecordedLeaves) => void;

  constructor(load: (leaves: RecordedLeaves) => void) {
    this.#pending = load;
    this.#load = load;
  }

  /** Reads the rows another writer added to the table since (none are read before first use). */
  refresh(): void {
    if (this.#pending !== undefined) return;
    this.#load(this);
  }

  #loaded(): void {
    const load = this.#pending;
    if (load === undefined) return;
    this.#pending = undefined;
    try {
      load(this);
    } catch (error) {
      // Half a table is no table: every later use fails the same way.
      this.#pending = () => {
        throw error;
      };
      throw error;
    }
  }

  readonly #hashes = new MemoryLeafHashStore();
  #positions = new BigUint64Array(1024);
  /**
   * Leaves are placed in log order, so positions increase and `indexOf` is a
   * binary search over the array: no million-entry map for the collector to walk
   * (which is what made proofs' tail latency). Cleared if a position ever does not.
   */
  #increasing = true;
  #committed = 0;

  get size(): number {
    this.#loaded();
    return this.#hashes.size;
  }

  get committed(): number {
    this.#loaded();
    return this.#committed;
  }

  get(index: number): Buffer {
    this.#loaded();
    return this.#hashes.get(index);
  }

  /** Called by the tree; `place` must have named the position first. */
  append(hash: Uint8Array): void {
    this.#loaded();
    if (this.#nextPosition === null)
      throw new Error('a leaf is appended only through AuditLog (its position is unknown)');
    const index = this.#hashes.size;
    this.#hashes.append(hash);
    if (index === this.#positions.length) {
      const grown = new BigUint64Array(this.#positions.length * 2);
      grown.set(this.#positions);
      this.#positions = grown;
    }
    if (index > 0 && this.#nextPosition <= (this.#positions[index - 1] as bigint))
      this.#increasing = false;
    this.#positions[index] = this.#nextPosition;
    this.#nextPosition = null;
  }

  #nextPosition: bigint | null = null;

  /** The store position of the leaf the tree appends next. */
  place(position: bigint): void {
    this.#loaded();
    this.#nextPosition = position;
  }

  /** Loads recorded leaves that follow the last one: their positions, and their hashes as one run of bytes. */
  load(positions: readonly bigint[], hashes: Buffer): void {
    if (hashes.length !== positions.length * HASH_SIZE)
      throw new Error(
        `audit leaf table: ${positions.length} positions but ${hashes.length} hash bytes`,
      );
    const start = this.size;
    const end = start + positions.length;
    let capacity = this.#positions.length;
    while (capacity < end) capacity *= 2;
    if (capacity !== this.#positions.length) {
      const grown = new BigUint64Array(capacity);
      grown.set(this.#positions);
      this.#positions = grown;
    }
    let previous = start > 0 ? (this.#positions[start - 1] as bigint) : -1n;
    for (let i = 0; i < positions.length; i++) {
      const position = positions[i] as bigint;
      if (position <= previous) this.#increasing = false;
      this.#positions[start + i] = position;
      previous = position;
    }
    this.#hashes.appendMany(hashes);
    this.#committed = this.size;
  }

  positionOf(index: number): bigint | undefined {
    this.#loaded();
    return index >= 0 && index < this.size ? this.#positions[index] : undefined;
  }

  indexOf(position: bigint): number | undefined {
    this.#loaded();
    const positions = this.#positions;
    if (!this.#increasing) {
      for (let i = 0, n = this.size; i < n; i++) if (positions[i] === position) return i;
      return undefined;
    }
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = positions[mid] as bigint;
      if (p === position) return mid;
      if (p < position) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  uncommitted(): { idx: number; position: bigint; hash: Buffer }[] {
    this.#loaded();
    const out: { idx: number; position: bigint; hash: Buffer }[] = [];
    for (let i = this.#committed, n = this.size; i < n; i++)
      out.push({ idx: i, position: this.#positions[i] as bigint, hash: this.get(i) });
    return out;
  }

  markCommitted(): void {
    this.#loaded();
    this.#committed = this.size;
  }
}

/**
 * The leaf format an audit file's leaves were hashed in. Format 2 commits to
 * personal fields by salted hashes (personal.ts); format 1 (files without a
 * `meta` row) digested the data in clear and cannot be extended by this code.
 */
export const LEAF_FORMAT = '2';

const checkLeafFormat = (db: Database.Database, writable: boolean): void => {
  const hasMeta =
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !==
    undefined;
  const format = hasMeta
    ? (db.prepare("SELECT value FROM meta WHERE key = 'leaf_format'").pluck().get() as
        string | undefined)
    : undefined;
  if (format === LEAF_FORMAT) return;
  const leaves = db.prepare('SELECT count(*) FROM leaves').pluck().get() as number;
  if (format === undefined && leaves === 0) {
    if (writable)
      db.prepare("INSERT INTO meta (key, value) VALUES ('leaf_format', ?)").run(LEAF_FORMAT);
    return;
  }
  throw new Error(
    `this audit file's ${leaves} leaves are in leaf format ${format ?? '1'}, not ${LEAF_FORMAT} (personal data by salted commitment): keep it and its checkpoints as the record of the old log (the release that wrote it verifies them), move it aside, and start the log again with \`nhagiao signing init --name NEW-ORIGIN --force\` and \`nhagiao audit checkpoint\``,
  );
};

/** The salts and commitments kept beside events with personal data, in memory once read. */
class SaltTable implements PersonalSalts {
  readonly #db: Database.Database;
  #rows: Map<string, PersonalCommitment> | undefined;
  readonly #pending: { eventId: string; commitment: PersonalCommitment }[] = [];

  constructor(db: Database.Database) {
    this.#db = db;
  }

  #all(): Map<string, PersonalCommitment> {
    if (this.#rows !== undefined) return this.#rows;
    const rows = new Map<string, PersonalCommitment>();
    const exists =
      this.#db
        .prepare(
          "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'personal_commitments'",
        )
        .get() !== undefined;
    if (exists) {
      for (const r of this.#db
        .prepare('SELECT event_id, salt, commitments FROM personal_commitments')
        .iterate() as Iterable<{ event_id: string; salt: Buffer | null; commitments: string }>)
        rows.set(r.event_id, {
          salt: r.salt,
          commitments: JSON.parse(r.commitments) as Record<string, string>,
        });
    }
    this.#rows = rows;
    return rows;
  }

  get(eventId: string): PersonalCommitment | undefined {
    return this.#all().get(eventId);
  }

  get size(): number {
    return this.#all().size;
  }

  entries(): IterableIterator<[string, PersonalCommitment]> {
    return this.#all().entries();
  }

  /** Salts an event's personal data the first time it is logged (held until `takePending`). */
  ensure(event: RecordedEvent): void {
    const rows = this.#all();
    if (rows.has(event.id)) return;
    const commitment = newCommitment(event);
    if (commitment === undefined) return;
    rows.set(event.id, commitment);
    this.#pending.push({ eventId: event.id, commitment });
  }

  takePending(): { eventId: string; commitment: PersonalCommitment }[] {
    return this.#pending.splice(0);
  }

  /** Puts back salts whose write failed, to be written with the next commit. */
  restorePending(pending: readonly { eventId: string; commitment: PersonalCommitment }[]): void {
    this.#pending.unshift(...pending);
  }

  forget(eventId: string): PersonalCommitment | undefined {
    const rows = this.#all();
    const kept = rows.get(eventId);
    if (kept === undefined) return undefined;
    const erased = { salt: null, commitments: kept.commitments };
    rows.set(eventId, erased);
    return erased;
  }
}

/** One row, not the whole table: every inclusion proof asks for it. */
const LATEST = 'SELECT id, size, note, saved_at, reason FROM checkpoints ORDER BY id DESC LIMIT 1';

const latestFrom = (statement: Database.Statement): SavedCheckpoint | undefined => {
  const r = statement.get() as
    { id: number; size: number; note: string; saved_at: string; reason: string } | undefined;
  return r === undefined
    ? undefined
    : { id: r.id, size: r.size, note: r.note, savedAt: r.saved_at, reason: r.reason };
};

/**
 * Throws, naming the first missing index, unless the leaf table's indexes run
 * 0, 1, 2… without a gap: checked at open (913,955 leaves: ~40 ms) rather than
 * when the leaves are first read, so a damaged table is reported even by a
 * command that does not read them.
 */
const checkNoGap = (db: Database.Database): void => {
  const span = db
    .prepare('SELECT count(*) AS n, min(idx) AS first, max(idx) AS last FROM leaves')
    .get() as { n: number; first: number | null; last: number | null };
  if (span.n === 0 || (span.first === 0 && span.last === span.n - 1)) return;
  const gap =
    span.first !== 0
      ? 0
      : (db
          .prepare(
            `SELECT a.idx + 1 FROM leaves a
              WHERE NOT EXISTS (SELECT 1 FROM leaves b WHERE b.idx = a.idx + 1)
              ORDER BY a.idx LIMIT 1`,
          )
          .pluck()
          .get() as number);
  throw new Error(`audit leaf table has a gap at index ${gap}`);
};

/**
 * Reads the leaf table into `leaves`: a chunk of leaves per row, hashes as one
 * hex run and positions as one list, so no Buffer and no row object per leaf (a
 * million leaves: 3.4 s one by one, ~0.5 s so).
 */
const loadLeaves = (db: Database.Database, leaves: RecordedLeaves): void => {
  const chunk = db.prepare(
    `SELECT count(*) AS n, min(idx) AS first, max(idx) AS last,
            group_concat(hex(hash), '' ORDER BY idx) AS hashes,
            group_concat(position, ',' ORDER BY idx) AS positions
       FROM (SELECT idx, position, hash FROM leaves WHERE idx >= ? ORDER BY idx LIMIT ?)`,
  );
  for (;;) {
    const from = leaves.size;
    const c = chunk.get(from, LEAVES_PER_READ) as LeafChunk;
    if (c.n === 0) break;
    // Written by this process meanwhile? Only `AuditLog.sync`, which reads first.
    if (c.first !== from || c.last !== from + c.n - 1)
      throw new Error(`audit leaf table changed while being read, at index ${from}`);
    leaves.load(
      (c.positions ?? '').split(',').map((p) => BigInt(p)),
      Buffer.from(c.hashes ?? '', 'hex'),
    );
  }
};

/**
 * The audit state of a log in one SQLite file (by default DATA_DIR/audit.sqlite):
 * the leaf table (index, position, leaf hash) and every checkpoint signed. Both
 * are rebuildable from the log, except the checkpoints' signatures, which is why
 * auditors also keep copies of the checkpoints they were given.
 */
export class SqliteAuditStore {
  readonly leaves: RecordedLeaves;
  readonly #db: Database.Database;

  /** The salts of events' personal data, kept beside them (see personal.ts). */
  readonly salts: SaltTable;

  private constructor(db: Database.Database, writable: boolean) {
    this.#db = db;
    checkNoGap(db);
    checkLeafFormat(db, writable);
    this.leaves = new RecordedLeaves((leaves) => loadLeaves(db, leaves));
    this.salts = new SaltTable(db);
  }

  /** Opens (creating unless `readOnly`) the audit file. */
  static open(path: string, options: { readonly readOnly?: boolean } = {}): SqliteAuditStore {
    const db = options.readOnly
      ? new Database(path, { readonly: true, fileMustExist: true })
      : new Database(path);
    if (!options.readOnly) {
      db.pragma('journal_mode = WAL');
      db.exec(SCHEMA);
    }
    return new SqliteAuditStore(db, !options.readOnly);
  }

  /** Writes the leaves appended since the last commit, with the salts they were hashed with, all or none. */
  commitLeaves(): number {
    const pending = this.leaves.uncommitted();
    const salts = this.salts.takePending();
    if (pending.length === 0 && salts.length === 0) return 0;
    const insert = this.#db.prepare('INSERT INTO leaves (idx, position, hash) VALUES (?, ?, ?)');
    const salt = this.#db.prepare(
      'INSERT INTO personal_commitments (event_id, salt, commitments) VALUES (?, ?, ?)',
    );
    try {
      this.#db.transaction(() => {
        for (const s of salts)
          salt.run(s.eventId, s.commitment.salt, JSON.stringify(s.commitment.commitments));
        for (const l of pending) insert.run(l.idx, l.position, l.hash);
      })();
    } catch (error) {
      this.salts.restorePending(salts);
      throw error;
    }
    this.leaves.markCommitted();
    return pending.length;
  }

  /**
   * Appends recorded leaves as they were given (an exported bundle's, to be
   * checked like the operator's own table), after any already there.
   */
  appendRecordedLeaves(rows: readonly { position: bigint; hash: Uint8Array }[]): void {
    const start = this.#db.prepare('SELECT count(*) FROM leaves').pluck().get() as number;
    const insert = this.#db.prepare('INSERT INTO leaves (idx, position, hash) VALUES (?, ?, ?)');
    this.#db.transaction(() => {
      rows.forEach((r, i) => insert.run(start + i, r.position, Buffer.from(r.hash)));
    })();
  }

  /** Keeps events' salts and commitments as given (an exported bundle's), in one transaction. */
  importPersonalCommitments(
    rows: readonly { eventId: string; commitment: PersonalCommitment }[],
  ): void {
    const insert = this.#db.prepare(
      'INSERT INTO personal_commitments (event_id, salt, commitments) VALUES (?, ?, ?)',
    );
    this.#db.transaction(() => {
      for (const r of rows)
        insert.run(r.eventId, r.commitment.salt, JSON.stringify(r.commitment.commitments));
    })();
  }

  /**
   * Forgets the salt of an event's personal data: once the data is also erased
   * from the event store, nothing links the kept commitments to the person,
   * and the leaf (which holds only the commitments) still verifies.
   */
  erasePersonalData(eventId: string): boolean {
    const info = this.#db
      .prepare('UPDATE personal_commitments SET salt = NULL WHERE event_id = ?')
      .run(eventId);
    this.salts.forget(eventId);
    return info.changes > 0;
  }

  saveCheckpoint(
    size: number,
    note: string,
    reason: CheckpointReason,
    savedAt: string,
  ): SavedCheckpoint {
    const info = this.#db
      .prepare('INSERT INTO checkpoints (size, note, saved_at, reason) VALUES (?, ?, ?, ?)')
      .run(size, note, savedAt, reason);
    return { id: Number(info.lastInsertRowid), size, note, savedAt, reason };
  }

  checkpoints(): SavedCheckpoint[] {
    const rows = this.#db
      .prepare('SELECT id, size, note, saved_at, reason FROM checkpoints ORDER BY id')
      .all() as { id: number; size: number; note: string; saved_at: string; reason: string }[];
    return rows.map((r) => ({
      id: r.id,
      size: r.size,
      note: r.note,
      savedAt: r.saved_at,
      reason: r.reason,
    }));
  }

  /**
   * Keeps a witness's cosignature of a checkpoint: one signed-note signature
   * line (`— <witness> <base64>`, newline included); the witness's latest for
   * that checkpoint replaces an earlier one.
   */
  saveCosignature(checkpointId: number, witness: string, line: string, savedAt: string): void {
    this.#db
      .prepare(
        `INSERT INTO cosignatures (checkpoint_id, witness, line, saved_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (checkpoint_id, witness) DO UPDATE SET line = excluded.line, saved_at = excluded.saved_at`,
      )
      .run(checkpointId, witness, line, savedAt);
  }

  /** The size of the tree a witness last cosigned for this log (what the next request proves from). */
  witnessSize(witness: string): number | undefined {
    return this.#db
      .prepare('SELECT size FROM witness_sizes WHERE witness = ?')
      .pluck()
      .get(witness) as number | undefined;
  }

  setWitnessSize(witness: string, size: number): void {
    this.#db
      .prepare(
        'INSERT INTO witness_sizes (witness, size) VALUES (?, ?) ON CONFLICT (witness) DO UPDATE SET size = excluded.size',
      )
      .run(witness, size);
  }

  #cosignatures: Database.Statement | undefined;

  /** The cosignature lines kept for a checkpoint, in witness-name order ('' when none). */
  cosignatureLines(checkpointId: number): string {
    if (this.#cosignatures === undefined) {
      // A file written before witnesses existed, opened read-only, has no table (yet).
      const exists = this.#db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cosignatures'")
        .get();
      if (exists === undefined) return '';
      this.#cosignatures = this.#db
        .prepare('SELECT line FROM cosignatures WHERE checkpoint_id = ? ORDER BY witness')
        .pluck();
    }
    return (this.#cosignatures.all(checkpointId) as string[]).join('');
  }

  /** Prepared once: an evidence trail asks for it at every proof. */
  #latest: Database.Statement | undefined;

  latestCheckpoint(): SavedCheckpoint | undefined {
    this.#latest ??= this.#db.prepare(LATEST);
    return latestFrom(this.#latest);
  }

  /**
   * The latest checkpoint saved in an audit file, read without opening the log
   * (no gap check of its leaf table, which may even be damaged): for a caller
   * that only quotes it (an annual report's metadata). Undefined when none was saved.
   */
  static latestCheckpointIn(path: string): SavedCheckpoint | undefined {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return latestFrom(db.prepare(LATEST));
    } finally {
      db.close();
    }
  }

  close(): void {
    this.#db.close();
  }
}

export type { RecordedLeaves, SaltTable };
