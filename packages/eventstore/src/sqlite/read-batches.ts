import type { RecordedEvent } from '@nhagiao/domain';
import type Database from 'better-sqlite3';
import type { BatchReadOptions } from '../port.js';
import { EVENT_COLUMNS } from './rows.js';

/** Columns in `EVENT_COLUMNS` order, as `raw` rows give them. */
type RawRow = [
  position: bigint,
  id: string,
  stream: string,
  revision: bigint,
  type: string,
  data: string,
  metadata: string,
  recordedAt: string,
];

const DEFAULT_PAGE = 5000;

/**
 * `readAllBatches` for the SQLite adapter: one query per page, rows as arrays
 * (no per-row column-name object), and no promise per event. Positions and
 * revisions stay exact (`safeIntegers`). Reads through `reader`, so, like
 * `readAll`, it only ever sees committed events.
 */
export const sqliteBatchReader = (reader: Database.Database, ensureOpen: () => void) => {
  const page = reader
    .prepare<[bigint, number], RawRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    )
    .safeIntegers(true)
    .raw(true);
  return async function* readAllBatches(
    options: BatchReadOptions = {},
  ): AsyncGenerator<readonly RecordedEvent[]> {
    const size = options.pageSize ?? DEFAULT_PAGE;
    let last = options.after ?? 0n;
    for (;;) {
      if (options.signal?.aborted) return;
      ensureOpen();
      const rows = page.all(last, size);
      const events = new Array<RecordedEvent>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i] as RawRow;
        // The store keeps what it was given, validated before append (as `toRecorded`).
        events[i] = {
          id: r[1],
          stream: r[2],
          revision: r[3],
          position: r[0],
          recordedAt: r[7],
          type: r[4],
          data: JSON.parse(r[5]) as unknown,
          metadata: JSON.parse(r[6]) as Record<string, string>,
        } as RecordedEvent;
      }
      const lastRow = rows[rows.length - 1];
      if (lastRow === undefined) return;
      last = lastRow[0];
      yield events;
      if (rows.length < size) return;
    }
  };
};
