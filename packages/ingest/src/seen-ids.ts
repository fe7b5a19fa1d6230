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
  /** The event's data as canonical JSON. */
  readonly data: string;
}

/**
 * The ids a check of a submission has accepted (a check appends nothing, so
 * the store cannot answer for them), kept in a private temporary SQLite
 * database so that checking a file of any length holds none of its events in
 * memory. SQLite spills it to a file of its own, removed when closed.
 */
export class SeenIds {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string], SeenEvent>;
  readonly #put: Database.Statement<[string, number, string, string, string, string]>;
  readonly #ofStream: Database.Statement<[string], SeenInStream>;

  constructor() {
    this.#db = new Database('');
    this.#db.pragma('cache_size = -4096');
    this.#db.exec(
      'CREATE TABLE seen (id TEXT PRIMARY KEY, line INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, stream TEXT NOT NULL, metadata TEXT NOT NULL) WITHOUT ROWID',
    );
    this.#db.exec('CREATE INDEX seen_stream ON seen (stream, line)');
    this.#ofStream = this.#db.prepare(
      'SELECT id, type, data, metadata FROM seen WHERE stream = ? ORDER BY line',
    );
    this.#get = this.#db.prepare('SELECT line, type, data FROM seen WHERE id = ?');
    this.#put = this.#db.prepare(
      'INSERT OR IGNORE INTO seen (id, line, type, data, stream, metadata) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  get(id: string): SeenEvent | undefined {
    return this.#get.get(id);
  }

  /**
   * The events a check accepted in `stream`, in the order of the file: a
   * retraction refolds its stream's history, which a check cannot read from
   * the store for what it accepted in earlier windows.
   */
  ofStream(stream: string): Envelope[] {
    return this.#ofStream.all(stream).map((r) => ({
      id: r.id,
      type: r.type,
      data: JSON.parse(r.data) as Envelope['data'],
      ...(r.metadata === '' ? {} : { metadata: JSON.parse(r.metadata) as Envelope['metadata'] }),
    })) as Envelope[];
  }

  addAll(
    events: readonly {
      readonly id: string;
      readonly line: number;
      readonly type: string;
      readonly data: string;
      readonly stream: string;
      /** As JSON; empty when the event has none. */
      readonly metadata: string;
    }[],
  ): void {
    this.#db.transaction(() => {
      for (const e of events) this.#put.run(e.id, e.line, e.type, e.data, e.stream, e.metadata);
    })();
  }

  close(): void {
    this.#db.close();
  }
}
