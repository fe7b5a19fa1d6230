import { EventStoreError, StoreUnavailableError } from '../errors.js';
import type {
  AppendResult,
  EventStore,
  StoreLocation,
  StreamBatchReads,
  StreamWrite,
} from '../port.js';
import { batchWriter } from './append.js';
import { openConnections } from './connection.js';
import {
  sqliteBatchReader,
  sqliteStreamBatchReader,
  sqliteStreamSplitter,
} from './read-batches.js';
import { sqliteReads } from './reads.js';
import { sqliteSubscriber } from './subscribe.js';
import { UnitOfWork } from './unit-of-work.js';
import { Wakeup } from './wakeup.js';

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

/** The SQLite store: the port, batch reads of its log and of its streams, and where it lives. */
export type SqliteEventStore = EventStore & StreamBatchReads & { readonly location: StoreLocation };

/**
 * The embedded event store: one SQLite file in WAL mode.
 *
 * Durability: `synchronous = FULL`, so every commit is fsynced to the WAL before
 * `append`/`appendBatch` returns; an acknowledged event survives a crash or a
 * power cut. One `appendBatch` is one transaction (all or nothing).
 *
 * One writer process at a time (see `acquireWriterLock`); any number of
 * `readOnly` readers in other processes, whose subscriptions poll for new events.
 *
 * The pieces: `connection.ts` opens the file, `append.ts` writes, `reads.ts`
 * and `read-batches.ts` read, `subscribe.ts` follows the log, `unit-of-work.ts`
 * runs `transaction(work)`; this file puts them together behind the port.
 */
export const openSqliteEventStore = (
  path: string,
  options: SqliteEventStoreOptions = {},
): SqliteEventStore => {
  const readOnly = options.readOnly ?? false;
  const pageSize = options.pageSize ?? 1000;
  const connections = openConnections(path, readOnly);
  const { db, reader } = connections;

  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new StoreUnavailableError(`the event store ${path} is closed`);
  };
  const wakeup = new Wakeup();
  const work = new UnitOfWork(db, () => wakeup.notify());
  const reads = sqliteReads(connections, pageSize, ensureOpen, () => work.inside());
  const writeBatch = readOnly ? undefined : batchWriter(db, options.clock ?? (() => new Date()));

  const appendBatch = async (writes: readonly StreamWrite[]): Promise<AppendResult[]> => {
    await work.waitOutside();
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

  return {
    capabilities: { atomicBatches: true },
    location: { kind: 'sqlite', path },
    append: async (stream, events, expected) => {
      const [result] = await appendBatch([{ stream, events, expected }]);
      // appendBatch returns one result per write; one write was given.
      return result as AppendResult;
    },
    appendBatch,
    ...reads,
    readAllBatches: sqliteBatchReader(reader, ensureOpen),
    readStreamBatches: sqliteStreamBatchReader(reader, ensureOpen),
    splitStreams: sqliteStreamSplitter(reader, ensureOpen),
    subscribe: sqliteSubscriber(
      reader,
      { pageSize, pollIntervalMs: options.pollIntervalMs ?? 50 },
      wakeup,
      () => closed,
    ),
    transaction: async <T>(run: () => Promise<T>): Promise<T> => {
      ensureOpen();
      if (readOnly) throw new StoreUnavailableError(`the event store ${path} is open read-only`);
      return work.run(run);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      wakeup.notify();
      connections.close();
    },
  };
};
