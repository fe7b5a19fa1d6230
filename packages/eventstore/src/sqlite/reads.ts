import type { RecordedEvent } from '@nhagiao/domain';
import type Database from 'better-sqlite3';
import type { ReadOptions } from '../port.js';
import { EVENT_COLUMNS, type EventRow, toRecorded } from './rows.js';

/** The position-ordered page query on a connection: rows after a position, at most a count. */
export const logPageQuery = (
  conn: Database.Database,
): Database.Statement<[bigint, number], EventRow> =>
  conn
    .prepare<[bigint, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    )
    .safeIntegers(true);

/**
 * The event-by-event reads: the log (`readAll`, `head`) on the reader
 * connection, so they see committed events only; a stream and an event by id
 * (`readStream`, `findEvent`) on the writer's connection while the caller is
 * inside a unit of work (to see the work's own appends), else on the reader's.
 */
export const sqliteReads = (
  connections: { readonly db: Database.Database; readonly reader: Database.Database },
  pageSize: number,
  ensureOpen: () => void,
  inWork: () => boolean,
) => {
  const { db, reader } = connections;
  const byIdRow = (conn: Database.Database) =>
    conn
      .prepare<[string], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`)
      .safeIntegers(true);
  const byIdCommitted = byIdRow(reader);
  const byIdInWork = byIdRow(db);
  const page = logPageQuery(reader);
  const streamPageOf = (conn: Database.Database) =>
    conn
      .prepare<[string, bigint, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision > ? ORDER BY revision LIMIT ?`,
      )
      .safeIntegers(true);
  const streamPageCommitted = streamPageOf(reader);
  const streamPageInWork = streamPageOf(db);
  const maxPosition = reader
    .prepare<[], { p: bigint | null }>('SELECT max(position) AS p FROM events')
    .safeIntegers(true);

  async function* readAll(options: ReadOptions = {}): AsyncGenerator<RecordedEvent> {
    let last = options.after ?? 0n;
    for (;;) {
      if (options.signal?.aborted) return;
      ensureOpen();
      const rows = page.all(last, pageSize);
      for (const row of rows) {
        last = row.position;
        yield toRecorded(row);
      }
      if (rows.length < pageSize) return;
    }
  }

  async function* readStream(
    stream: string,
    options: { readonly signal?: AbortSignal } = {},
  ): AsyncGenerator<RecordedEvent> {
    let last = -1n;
    for (;;) {
      if (options.signal?.aborted) return;
      ensureOpen();
      const rows = (inWork() ? streamPageInWork : streamPageCommitted).all(stream, last, pageSize);
      for (const row of rows) {
        last = row.revision;
        yield toRecorded(row);
      }
      if (rows.length < pageSize) return;
    }
  }

  return {
    readAll,
    readStream,
    /** By id whatever the stream: SQLite has a global id index. */
    findEvent: async (_stream: string, id: string): Promise<RecordedEvent | undefined> => {
      ensureOpen();
      const row = (inWork() ? byIdInWork : byIdCommitted).get(id);
      return row === undefined ? undefined : toRecorded(row);
    },
    head: async (): Promise<bigint | null> => {
      ensureOpen();
      return maxPosition.get()?.p ?? null;
    },
  };
};
