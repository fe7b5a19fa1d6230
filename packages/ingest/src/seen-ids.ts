import Database from 'better-sqlite3';

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
  readonly #put: Database.Statement<[string, number, string, string]>;

  constructor() {
    this.#db = new Database('');
    this.#db.pragma('cache_size = -4096');
    this.#db.exec(
      'CREATE TABLE seen (id TEXT PRIMARY KEY, line INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL) WITHOUT ROWID',
    );
    this.#get = this.#db.prepare('SELECT line, type, data FROM seen WHERE id = ?');
    this.#put = this.#db.prepare(
      'INSERT OR IGNORE INTO seen (id, line, type, data) VALUES (?, ?, ?, ?)',
    );
  }

  get(id: string): SeenEvent | undefined {
    return this.#get.get(id);
  }

  addAll(
    events: readonly {
      readonly id: string;
      readonly line: number;
      readonly type: string;
      readonly data: string;
    }[],
  ): void {
    this.#db.transaction(() => {
      for (const e of events) this.#put.run(e.id, e.line, e.type, e.data);
    })();
  }

  close(): void {
    this.#db.close();
  }
}
