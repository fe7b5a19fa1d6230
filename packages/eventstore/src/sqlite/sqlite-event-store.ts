import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import type { Envelope, RecordedEvent } from '@nhagiao/domain';
import Database from 'better-sqlite3';
import { canonicalJson } from '../canonical-json.js';
import {
  ConcurrencyError,
  EventStoreError,
  IdConflictError,
  StoreUnavailableError,
} from '../errors.js';
import type {
  AppendOutcome,
  AppendResult,
  EventStore,
  ExpectedRevision,
  StoreLocation,
  StreamBatchReads,
  ReadOptions,
  StreamWrite,
  SubscriptionMessage,
} from '../port.js';
import { EVENT_COLUMNS, type EventRow, toRecorded } from './rows.js';
import {
  sqliteBatchReader,
  sqliteStreamBatchReader,
  sqliteStreamSplitter,
} from './read-batches.js';
import { migrate } from './schema.js';
import { Wakeup } from './wakeup.js';
import { type WriterLock, acquireWriterLock } from './writer-lock.js';

export interface SqliteEventStoreOptions {
  /** Open for reading only (rebuild, verify, queries, a relay) while a writer process runs. */
  readonly readOnly?: boolean;
  /** Source of `recordedAt`; the real clock by default. Tests pass a fixed one. */
  readonly clock?: () => Date;
  /** How often a waiting subscription looks for events appended by another process. Default 50 ms. */
  readonly pollIntervalMs?: number;
  /** Rows read per query by `readAll`, `readStream` and `subscribe`. Default 1000. */
  readonly pageSize?: number;
}

interface StoredById {
  readonly position: bigint;
  readonly revision: bigint;
  readonly stream: string;
  readonly type: string;
  readonly data: string;
}

const satisfies = (expected: ExpectedRevision, actual: bigint | null): boolean =>
  expected === 'any' ||
  (expected === 'no-stream' && actual === null) ||
  (expected === 'exists' && actual !== null) ||
  (typeof expected === 'bigint' && expected === actual);

/** The SQLite store: the port, batch reads of its log and of its streams, and where it lives. */
export type SqliteEventStore = EventStore &
  StreamBatchReads & { readonly location: StoreLocation };

/**
 * The embedded event store: one SQLite file in WAL mode.
 *
 * Durability: `synchronous = FULL`, so every commit is fsynced to the WAL before
 * `append`/`appendBatch` returns; an acknowledged event survives a crash or a
 * power cut. One `appendBatch` is one transaction (all or nothing).
 *
 * One writer process at a time (see `acquireWriterLock`); any number of
 * `readOnly` readers in other processes, whose subscriptions poll for new events.
 */
export const openSqliteEventStore = (
  path: string,
  options: SqliteEventStoreOptions = {},
): SqliteEventStore => {
  const readOnly = options.readOnly ?? false;
  const clock = options.clock ?? (() => new Date());
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  const pageSize = options.pageSize ?? 1000;

  if (readOnly && !existsSync(path)) {
    throw new StoreUnavailableError(`the event store ${path} does not exist (opened read-only)`);
  }
  const lock: WriterLock | undefined = readOnly ? undefined : acquireWriterLock(path);
  let db: Database.Database;
  try {
    db = new Database(path, readOnly ? { readonly: true, fileMustExist: true } : {});
    db.pragma('busy_timeout = 5000');
    if (!readOnly) {
      db.pragma('journal_mode = WAL');
      // FULL: the WAL is fsynced at every commit, so an append is durable before it returns.
      db.pragma('synchronous = FULL');
      migrate(db);
    }
    db.prepare('SELECT 1 FROM events LIMIT 1').get();
  } catch (cause) {
    lock?.release();
    throw new StoreUnavailableError(`cannot open the event store ${path}: ${String(cause)}`, {
      cause,
    });
  }

  // readAll, subscribe and head read through their own connection, so they only
  // ever see committed events, even while a unit of work (`transaction`) is open.
  const reader = readOnly ? db : new Database(path, { readonly: true, fileMustExist: true });
  reader.pragma('busy_timeout = 5000');
  // Inside a unit of work, readStream and findEvent read through the writer's
  // connection to see the work's own appends; everyone else reads committed events.
  const byIdRow = (conn: Database.Database) =>
    conn
      .prepare<[string], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`)
      .safeIntegers(true);
  const byIdCommitted = byIdRow(reader);
  const byIdInWork = byIdRow(db);
  const page = reader
    .prepare<[bigint, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    )
    .safeIntegers(true);
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

  let closed = false;
  const wakeup = new Wakeup();

  // The open unit of work, if any. Its SQLite transaction is on the one writer
  // connection, so an append from elsewhere in the process (another request)
  // would silently join it and be rolled back with it: such appends wait until
  // the unit of work ends. AsyncLocalStorage tells the work's own calls apart.
  const workScope = new AsyncLocalStorage<symbol>();
  let openWork: { readonly token: symbol; readonly done: Promise<void> } | undefined;
  const inWork = (): boolean => openWork !== undefined && workScope.getStore() === openWork.token;
  const waitOutsideWork = async (): Promise<void> => {
    while (openWork !== undefined && workScope.getStore() !== openWork.token) await openWork.done;
  };

  const ensureOpen = (): void => {
    if (closed) throw new StoreUnavailableError(`the event store ${path} is closed`);
  };

  const head = (): bigint | null => maxPosition.get()?.p ?? null;

  const writeBatch = readOnly
    ? undefined
    : ((): ((writes: readonly StreamWrite[]) => AppendResult[]) => {
        const byId = db
          .prepare<[string], StoredById>(
            'SELECT position, revision, stream, type, data FROM events WHERE id = ?',
          )
          .safeIntegers(true);
        const streamRevision = db
          .prepare<[string], { r: bigint | null }>(
            'SELECT max(revision) AS r FROM events WHERE stream = ?',
          )
          .safeIntegers(true);
        const insert = db
          .prepare(
            'INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
          )
          .safeIntegers(true);
        const lastRecorded = db
          .prepare<[], { t: string | null }>(
            'SELECT recorded_at AS t FROM events ORDER BY position DESC LIMIT 1',
          )
          .get()?.t;
        // Transaction time never goes backwards, even when the wall clock does.
        let lastRecordedMs = lastRecorded ? Date.parse(lastRecorded) : Number.NEGATIVE_INFINITY;

        const duplicateOf = (event: Envelope, data: string, stream: string): AppendOutcome => {
          const stored = byId.get(event.id);
          if (stored === undefined) {
            // Skipped, yet no such id: the store's own invariants are broken (a bug, not a conflict).
            throw new Error(`event ${event.id} of ${stream} was neither stored nor found stored`);
          }
          if (
            stored.type !== event.type ||
            canonicalJson(JSON.parse(stored.data)) !== canonicalJson(JSON.parse(data))
          ) {
            throw new IdConflictError(event.id, stream, stored.stream);
          }
          return {
            id: event.id,
            status: 'duplicate',
            position: stored.position,
            revision: stored.revision,
          };
        };

        /**
         * `expected` does not hold: the write may still be an idempotent retry (every
         * event already stored), which is not checked against `expected` (the stream may
         * have moved on since the first attempt, and the retry must still succeed).
         * Anything else is a ConcurrencyError, raised at the first event not stored.
         */
        const retryOrConflict = (write: StreamWrite, revision: bigint | null): AppendResult => {
          if (write.events.length === 0)
            throw new ConcurrencyError(write.stream, write.expected, revision);
          const outcomes = write.events.map((event: Envelope): AppendOutcome => {
            if (byId.get(event.id) === undefined)
              throw new ConcurrencyError(write.stream, write.expected, revision);
            return duplicateOf(event, JSON.stringify(event.data), write.stream);
          });
          return { stream: write.stream, outcomes, nextExpected: revision ?? -1n };
        };

        const writeStream = (write: StreamWrite, recordedAt: string): AppendResult => {
          let revision = streamRevision.get(write.stream)?.r ?? null;
          if (!satisfies(write.expected, revision)) return retryOrConflict(write, revision);
          const outcomes: AppendOutcome[] = [];
          for (const event of write.events) {
            const data = JSON.stringify(event.data);
            const next = revision === null ? 0n : revision + 1n;
            // The insert probes the id index anyway: a stored id skips the row, and only
            // then is the stored event read, to tell a duplicate from a conflict.
            const info = insert.run(
              event.id,
              write.stream,
              next,
              event.type,
              data,
              JSON.stringify(event.metadata ?? {}),
              recordedAt,
            );
            if (info.changes === 0) {
              outcomes.push(duplicateOf(event, data, write.stream));
              continue;
            }
            revision = next;
            outcomes.push({
              id: event.id,
              status: 'appended',
              position: info.lastInsertRowid as bigint,
              revision,
            });
          }
          return { stream: write.stream, outcomes, nextExpected: revision ?? -1n };
        };

        const transaction = db.transaction((writes: readonly StreamWrite[]): AppendResult[] => {
          const ms = Math.max(lastRecordedMs, clock().getTime());
          const recordedAt = new Date(ms).toISOString();
          const results = writes.map((w) => writeStream(w, recordedAt));
          lastRecordedMs = ms;
          return results;
        });
        return (writes) => transaction.immediate(writes);
      })();

  const appendBatch = async (writes: readonly StreamWrite[]): Promise<AppendResult[]> => {
    await waitOutsideWork();
    try {
      ensureOpen();
      if (writeBatch === undefined) {
        throw new StoreUnavailableError(`the event store ${path} is open read-only`);
      }
      const results = writeBatch(writes);
      wakeup.notify();
      return results;
    } catch (error) {
      if (error instanceof EventStoreError) throw error;
      throw new StoreUnavailableError(`append to ${path} failed: ${String(error)}`, {
        cause: error,
      });
    }
  };

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

  async function* subscribe(options: ReadOptions = {}): AsyncGenerator<SubscriptionMessage> {
    const { signal } = options;
    let last = options.after ?? 0n;
    let delivered: bigint | null = options.after ?? null;
    let caughtUp = false;
    for (;;) {
      if (closed || signal?.aborted) return;
      const rows = page.all(last, pageSize);
      for (const row of rows) {
        last = row.position;
        delivered = row.position;
        yield { kind: 'event', event: toRecorded(row) };
        if (closed || signal?.aborted) return;
      }
      if (rows.length === pageSize) continue;
      if (!caughtUp) {
        caughtUp = true;
        yield { kind: 'caught-up', position: delivered };
        continue;
      }
      await wakeup.wait(pollIntervalMs, signal);
    }
  }

  return {
    capabilities: { atomicBatches: true },
    location: { kind: 'sqlite', path },
    append: async (stream, events, expected) => {
      const [result] = await appendBatch([{ stream, events, expected }]);
      // appendBatch returns one result per write; one write was given.
      return result as AppendResult;
    },
    appendBatch,
    readStream,
    readAll,
    readAllBatches: sqliteBatchReader(reader, ensureOpen),
    readStreamBatches: sqliteStreamBatchReader(reader, ensureOpen),
    splitStreams: sqliteStreamSplitter(reader, ensureOpen),
    subscribe,
    findEvent: async (_stream, id) => {
      ensureOpen();
      const row = (inWork() ? byIdInWork : byIdCommitted).get(id);
      return row === undefined ? undefined : toRecorded(row);
    },
    transaction: async <T>(work: () => Promise<T>): Promise<T> => {
      ensureOpen();
      if (readOnly) throw new StoreUnavailableError(`the event store ${path} is open read-only`);
      if (inWork()) throw new Error('a unit of work is already open on this store');
      await waitOutsideWork();
      const token = Symbol('unit of work');
      let finished = (): void => undefined;
      openWork = { token, done: new Promise<void>((resolve) => (finished = resolve)) };
      try {
        db.exec('BEGIN IMMEDIATE');
        const result = await workScope.run(token, work);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      } finally {
        openWork = undefined;
        finished();
        wakeup.notify();
      }
    },
    head: async () => {
      ensureOpen();
      return head();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      wakeup.notify();
      if (reader !== db) reader.close();
      db.close();
      lock?.release();
    },
  };
};
