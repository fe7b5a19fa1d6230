import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { QuarantineEntry, QuarantineStore } from '@nhagiao/ingest';

export interface SqliteQuarantineOptions {
  /** Entries kept per submitting key (and for submissions without one); the oldest go first. Default 10,000. */
  readonly perActor?: number;
  /** Longest text kept of one rejected item; a longer one is kept cut, marked so. Default 16 KiB. */
  readonly itemChars?: number;
}

export interface SqliteQuarantine extends QuarantineStore {
  close(): void;
}

/**
 * The API's quarantine: one SQLite file, bounded per submitting key (past
 * `perActor` entries a key's oldest are dropped, so one key cannot fill the
 * disk nor push out another's), each item kept to `itemChars`, and read a page
 * at a time, newest first, through an index, never whole.
 */
export const openSqliteQuarantine = (
  file: string,
  options: SqliteQuarantineOptions = {},
): SqliteQuarantine => {
  const perActor = options.perActor ?? 10_000;
  const itemChars = options.itemChars ?? 16 * 1024;
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS quarantine (
      seq   INTEGER PRIMARY KEY AUTOINCREMENT,
      actor TEXT NOT NULL,
      entry TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS quarantine_actor ON quarantine (actor, seq);
  `);
  // The rejected event's id, so that its entry goes once the event is accepted.
  const columns = db.prepare('PRAGMA table_info(quarantine)').all() as { name: string }[];
  if (!columns.some((c) => c.name === 'event_id')) {
    db.exec('ALTER TABLE quarantine ADD COLUMN event_id TEXT');
  }
  db.exec('CREATE INDEX IF NOT EXISTS quarantine_event ON quarantine (event_id)');
  const insert = db.prepare('INSERT INTO quarantine (actor, entry, event_id) VALUES (?, ?, ?)');
  const pendingIds = db
    .prepare('SELECT DISTINCT event_id FROM quarantine WHERE event_id IS NOT NULL')
    .pluck();
  const removeEvent = db.prepare('DELETE FROM quarantine WHERE event_id = ?');
  const trim = db.prepare(
    `DELETE FROM quarantine WHERE actor = ? AND seq <= (
       SELECT seq FROM quarantine WHERE actor = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
  );
  const pageAll = db.prepare('SELECT entry FROM quarantine ORDER BY seq DESC LIMIT ? OFFSET ?');
  const pageOf = db.prepare(
    'SELECT entry FROM quarantine WHERE actor = ? ORDER BY seq DESC LIMIT ? OFFSET ?',
  );
  const bounded = (entry: QuarantineEntry): string => {
    const text = JSON.stringify(entry.item) ?? 'null';
    if (text.length <= itemChars) return JSON.stringify(entry);
    return JSON.stringify({
      ...entry,
      item: { truncated: true, chars: text.length, text: text.slice(0, itemChars) },
    });
  };
  const add = db.transaction((entries: readonly QuarantineEntry[]) => {
    const actors = new Set<string>();
    for (const e of entries) {
      const actor = e.actorId ?? '';
      insert.run(actor, bounded(e), e.eventId ?? null);
      actors.add(actor);
    }
    for (const actor of actors) trim.run(actor, actor, perActor);
  });
  return {
    add(entries) {
      if (entries.length > 0) add(entries);
    },
    list({ actorId, limit = 100, offset = 0 } = {}) {
      const rows = (
        actorId === undefined ? pageAll.all(limit, offset) : pageOf.all(actorId, limit, offset)
      ) as { entry: string }[];
      return rows.map((r) => JSON.parse(r.entry) as QuarantineEntry);
    },
    quarantinedIds: () => new Set(pendingIds.all() as string[]),
    resolve: db.transaction((eventIds: readonly string[]) => {
      for (const id of eventIds) removeEvent.run(id);
    }),
    close: () => db.close(),
  };
};
