import Database from 'better-sqlite3';
import type { Envelope } from '@nhagiao/domain';

interface SeenInStream {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

export interface SeenEvent {
  readonly line: number;
  readonly type: string;
  /** The event's data as JSON (compared with another's in canonical form). */
  readonly data: string;
}

export interface SeenRow {
  readonly id: string;
  readonly line: number;
  readonly type: string;
  /** The event's data as JSON (compared with another's in canonical form). */
  readonly data: string;
  readonly stream: string;
  /** As JSON; empty when the event has none. */
  readonly metadata: string;
}

/** Bits of the filter in front of the database: 2 MiB, whatever the length of the file. */
const FILTER_BITS = 1 << 24;
const FILTER_MASK = FILTER_BITS - 1;
/** Bits set per id: one id in ~500 not noted goes to the database at a million noted. */
const FILTER_PROBES = 4;
/** Rows per insert statement (8 values each, well under SQLite's limit on values). */
const ROWS_PER_INSERT = 100;

/**
 * Two independent 32-bit hashes of a string (FNV-1a and a multiplicative one,
 * each finished by a mix), from which the filter's probes are made.
 */
const hashes = (s: string): [number, number] => {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b ^= b >>> 15;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return [a >>> 0, (b | 1) >>> 0];
};

/**
 * A Bloom filter of fixed size over the ids noted: "not noted" for certain, or
 * "perhaps" (then the database answers). Its memory does not grow with the
 * file; past a few million ids it says "perhaps" more often, never wrongly "no".
 */
class IdFilter {
  readonly #words = new Int32Array(FILTER_BITS >>> 5);

  add(id: string): void {
    const [a, b] = hashes(id);
    for (let k = 0; k < FILTER_PROBES; k++) {
      const bit = (a + Math.imul(k, b)) & FILTER_MASK;
      const word = bit >>> 5;
      this.#words[word] = (this.#words[word] as number) | (1 << (bit & 31));
    }
  }

  mayHave(id: string): boolean {
    const [a, b] = hashes(id);
    for (let k = 0; k < FILTER_PROBES; k++) {
      const bit = (a + Math.imul(k, b)) & FILTER_MASK;
      if (((this.#words[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** A 53-bit key of a string (from its two hashes), exact as a SQLite integer and a JS number. */
const keyOf = (s: string): number => {
  const [a, b] = hashes(s);
  return a * 0x200000 + (b >>> 11);
};

interface SeenKeyed extends SeenEvent {
  readonly id: string;
}

const seenEvent = (row: SeenKeyed): SeenEvent => ({
  line: row.line,
  type: row.type,
  data: row.data,
});

interface SeenInStreamKeyed extends SeenInStream {
  readonly stream: string;
}

/**
 * The ids a check of a submission has accepted (a check appends nothing, so
 * the store cannot answer for them), kept in a private temporary SQLite
 * database so that checking a file of any length holds none of its events in
 * memory. SQLite spills it to a file of its own, removed when closed.
 *
 * Rows are written in the order of the file, so the table only grows at its
 * end; they are found by small integer keys (hashes of the id, of the stream),
 * whose indexes stay small enough for SQLite's cache, and a filter of fixed
 * size in front answers most lookups (ids not met before, the usual case)
 * without asking the database.
 */
export class SeenIds {
  readonly #db: Database.Database;
  readonly #filter = new IdFilter();
  /** The same over the streams noted: most streams a check reads have nothing noted. */
  readonly #streams = new IdFilter();
  readonly #get: Database.Statement<[number], SeenKeyed>;
  readonly #putMany: Database.Statement<unknown[]>;
  readonly #putOne: Database.Statement<unknown[]>;
  readonly #ofStream: Database.Statement<[number], SeenInStreamKeyed>;

  constructor() {
    this.#db = new Database('');
    this.#db.pragma('cache_size = -8192');
    this.#db.pragma('journal_mode = MEMORY');
    this.#db.exec(
      'CREATE TABLE seen (key INTEGER NOT NULL, stream_key INTEGER NOT NULL, id TEXT NOT NULL, line INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, stream TEXT NOT NULL, metadata TEXT NOT NULL)',
    );
    this.#db.exec('CREATE INDEX seen_key ON seen (key)');
    this.#db.exec('CREATE INDEX seen_stream ON seen (stream_key)');
    this.#ofStream = this.#db.prepare(
      'SELECT id, type, data, metadata, stream FROM seen WHERE stream_key = ? ORDER BY rowid',
    );
    this.#get = this.#db.prepare(
      'SELECT id, line, type, data FROM seen WHERE key = ? ORDER BY rowid',
    );
    const insert = (rows: number): Database.Statement<unknown[]> =>
      this.#db.prepare(
        `INSERT INTO seen (key, stream_key, id, line, type, data, stream, metadata) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      );
    this.#putMany = insert(ROWS_PER_INSERT);
    this.#putOne = insert(1);
  }

  /** The first event noted under `id`. */
  get(id: string): SeenEvent | undefined {
    if (!this.#filter.mayHave(id)) return undefined;
    const key = keyOf(id);
    // One row under a key but for a collision of 53-bit hashes, which the loop covers.
    const first = this.#get.get(key);
    if (first === undefined || first.id === id) return first && seenEvent(first);
    for (const row of this.#get.iterate(key)) if (row.id === id) return seenEvent(row);
    return undefined;
  }

  /**
   * The events a check accepted in `stream`, in the order of the file: a
   * retraction refolds its stream's history, which a check cannot read from
   * the store for what it accepted in earlier windows.
   */
  ofStream(stream: string): Envelope[] {
    if (!this.#streams.mayHave(stream)) return [];
    return this.#ofStream
      .all(keyOf(stream))
      .filter((r) => r.stream === stream)
      .map((r) => ({
        id: r.id,
        type: r.type,
        data: JSON.parse(r.data) as Envelope['data'],
        ...(r.metadata === '' ? {} : { metadata: JSON.parse(r.metadata) as Envelope['metadata'] }),
      })) as Envelope[];
  }

  /** Notes accepted events, in the order of the file; an id already noted keeps its first event. */
  addAll(events: readonly SeenRow[]): void {
    const fresh: SeenRow[] = [];
    const now = new Set<string>();
    for (const e of events) {
      if (now.has(e.id) || this.get(e.id) !== undefined) continue;
      now.add(e.id);
      fresh.push(e);
    }
    const values = new Array<unknown>(ROWS_PER_INSERT * 8);
    const put = (at: number, e: SeenRow): void => {
      values[at] = keyOf(e.id);
      values[at + 1] = keyOf(e.stream);
      values[at + 2] = e.id;
      values[at + 3] = e.line;
      values[at + 4] = e.type;
      values[at + 5] = e.data;
      values[at + 6] = e.stream;
      values[at + 7] = e.metadata;
    };
    this.#db.transaction(() => {
      let i = 0;
      for (; i + ROWS_PER_INSERT <= fresh.length; i += ROWS_PER_INSERT) {
        for (let r = 0; r < ROWS_PER_INSERT; r++) put(r * 8, fresh[i + r] as SeenRow);
        this.#putMany.run(values);
      }
      for (; i < fresh.length; i++) {
        put(0, fresh[i] as SeenRow);
        this.#putOne.run(values.slice(0, 8));
      }
    })();
    for (const e of fresh) {
      this.#filter.add(e.id);
      this.#streams.add(e.stream);
    }
  }

  close(): void {
    this.#db.close();
  }
}
