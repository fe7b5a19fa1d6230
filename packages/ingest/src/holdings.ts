import Database from 'better-sqlite3';
import {
  type Envelope,
  type HoldingMap,
  type HoldingRef,
  type HoldingValue,
  type StreamState,
  holdingIn,
  holdingOf,
  holdingsOf,
  isTeacherEnvelope,
  withHolding,
  withoutHoldings,
} from '@nhagiao/domain';

const MAP_CODE: Readonly<Record<HoldingMap, number>> = {
  degrees: 0,
  certificates: 1,
  programmes: 2,
};

interface Row {
  readonly held: number | null;
  readonly enrolled_on: string | null;
  readonly completions: number | null;
}

/**
 * The holdings of teachers' decision states (held degree and certificate ids,
 * programme progress: what grows with a teacher's history) kept in a private
 * temporary SQLite database instead of in memory, so that an import's memory
 * grows with its teachers, not with their events. SQLite keeps the database in
 * its page cache while it is small and spills it to a file of its own, removed
 * when the connection closes or the process ends.
 *
 * The ingestor keeps each teacher's fixed-size state in memory, gives a
 * decision the one holding its event names (`hydrate`), and writes back what
 * the event changed (`settle`). Changes are made in a transaction per
 * submission, so a rejected submission leaves the holdings as they were.
 */
export class HoldingIndex {
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, number, string], Row>;
  readonly #put: Database.Statement<
    [string, number, string, number | null, string | null, number | null]
  >;
  readonly #clear: Database.Statement<[string]>;

  constructor() {
    // An empty file name: a temporary database on disk, private to this connection.
    this.#db = new Database('');
    this.#db.pragma('cache_size = -8192');
    this.#db.exec(`CREATE TABLE holding (
      stream TEXT NOT NULL,
      map INTEGER NOT NULL,
      key TEXT NOT NULL,
      held INTEGER,
      enrolled_on TEXT,
      completions INTEGER,
      PRIMARY KEY (stream, map, key)
    ) WITHOUT ROWID`);
    this.#get = this.#db.prepare(
      'SELECT held, enrolled_on, completions FROM holding WHERE stream = ? AND map = ? AND key = ?',
    );
    this.#put = this.#db.prepare(
      'INSERT OR REPLACE INTO holding (stream, map, key, held, enrolled_on, completions) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#clear = this.#db.prepare('DELETE FROM holding WHERE stream = ?');
  }

  begin(): void {
    this.#db.exec('BEGIN');
  }

  commit(): void {
    if (this.#db.inTransaction) this.#db.exec('COMMIT');
  }

  rollback(): void {
    if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
  }

  close(): void {
    this.#db.close();
  }

  /** `state` with exactly the holding `envelope` names (none for events that name none). */
  hydrate(stream: string, state: StreamState, envelope: Envelope): StreamState {
    if (state.kind !== 'teacher' || !isTeacherEnvelope(envelope)) return state;
    const ref = holdingOf(envelope);
    if (ref === undefined) return withoutHoldings(state);
    return withHolding(state, ref, this.#read(stream, ref));
  }

  /**
   * Keeps what evolving by `envelope` changed and returns the fixed-size part. A
   * retraction refolds the whole stream, so its state carries every holding and
   * replaces the stream's; `whole` says the same of a state folded from a stream.
   */
  settle(stream: string, state: StreamState, envelope: Envelope | 'whole'): StreamState {
    if (state.kind !== 'teacher') return state;
    if (envelope === 'whole' || envelope.type === 'EventRetracted') {
      this.#clear.run(stream);
      for (const [ref, value] of holdingsOf(state)) this.#write(stream, ref, value);
    } else if (isTeacherEnvelope(envelope)) {
      const ref = holdingOf(envelope);
      const value = ref === undefined ? undefined : holdingIn(state, ref);
      if (ref !== undefined && value !== undefined) this.#write(stream, ref, value);
    }
    return withoutHoldings(state);
  }

  #read(stream: string, ref: HoldingRef): HoldingValue | undefined {
    const row = this.#get.get(stream, MAP_CODE[ref.map], ref.key);
    if (row === undefined) return undefined;
    if (ref.map !== 'programmes') return row.held === 1;
    return { enrolledOn: row.enrolled_on ?? undefined, completions: row.completions ?? 0 };
  }

  #write(stream: string, ref: HoldingRef, value: HoldingValue): void {
    if (typeof value === 'boolean')
      this.#put.run(stream, MAP_CODE[ref.map], ref.key, value ? 1 : 0, null, null);
    else
      this.#put.run(
        stream,
        MAP_CODE[ref.map],
        ref.key,
        null,
        value.enrolledOn ?? null,
        value.completions,
      );
  }
}
