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
  /** null when the read skips metadata. */
  metadata: string | null,
  recordedAt: string,
];

const DEFAULT_PAGE = 5000;

interface PageShape {
  readonly until: boolean;
  readonly shard: boolean;
  readonly metadata: boolean;
  /** How many types the page is restricted to; undefined: every type. */
  readonly types: number | undefined;
}

/** The page query for one combination of options, prepared once. */
const pageQuery = (o: PageShape): string => {
  const where = ['position > ?'];
  if (o.until) where.push('position <= ?');
  // Exactly `shardOfStream`: teacher streams by their last code point, every other stream to all.
  if (o.shard)
    where.push("(substr(stream, 1, 8) <> 'teacher-' OR unicode(substr(stream, -1)) % ? = ?)");
  if (o.types !== undefined)
    where.push(
      o.types === 0 ? '0' : `type IN (${new Array<string>(o.types).fill('?').join(', ')})`,
    );
  const columns = o.metadata ? EVENT_COLUMNS : EVENT_COLUMNS.replace(/\bmetadata\b/, 'NULL');
  return `SELECT ${columns} FROM events WHERE ${where.join(' AND ')} ORDER BY position LIMIT ?`;
};

const EMPTY_METADATA: Readonly<Record<string, string>> = Object.freeze({});

/**
 * `readAllBatches` for the SQLite adapter: one query per page, rows as arrays
 * (no per-row column-name object), and no promise per event. Positions and
 * revisions stay exact (`safeIntegers`). Reads through `reader`, so, like
 * `readAll`, it only ever sees committed events. The shard and type filters run
 * inside SQLite, so the events they leave out cost neither a string nor a parse
 * here.
 */
export const sqliteBatchReader = (reader: Database.Database, ensureOpen: () => void) => {
  const statements = new Map<string, Database.Statement<unknown[], RawRow>>();
  const statement = (o: PageShape) => {
    const sql = pageQuery(o);
    let prepared = statements.get(sql);
    if (prepared === undefined) {
      prepared = reader.prepare<unknown[], RawRow>(sql).safeIntegers(true).raw(true);
      statements.set(sql, prepared);
    }
    return prepared;
  };
  return async function* readAllBatches(
    options: BatchReadOptions = {},
  ): AsyncGenerator<readonly RecordedEvent[]> {
    const size = options.pageSize ?? DEFAULT_PAGE;
    const withMetadata = options.metadata ?? true;
    const { until, shard, types } = options;
    if (
      shard !== undefined &&
      !(
        Number.isInteger(shard.count) &&
        shard.count >= 1 &&
        shard.index >= 0 &&
        shard.index < shard.count
      )
    )
      throw new RangeError(`shard ${shard.index} of ${shard.count} does not exist`);
    ensureOpen();
    const page = statement({
      until: until !== undefined,
      shard: shard !== undefined,
      metadata: withMetadata,
      types: types?.length,
    });
    let last = options.after ?? 0n;
    for (;;) {
      if (options.signal?.aborted) return;
      ensureOpen();
      const params: unknown[] = [last];
      if (until !== undefined) params.push(until);
      if (shard !== undefined) params.push(shard.count, shard.index);
      if (types !== undefined) params.push(...types);
      params.push(size);
      const rows = page.all(...params);
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
          metadata: r[6] === null ? EMPTY_METADATA : (JSON.parse(r[6]) as Record<string, string>),
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
