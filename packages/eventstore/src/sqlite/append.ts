import type { Envelope } from '@nhagiao/domain';
import type Database from 'better-sqlite3';
import { canonicalJson } from '../canonical-json.js';
import { ConcurrencyError, IdConflictError } from '../errors.js';
import type { AppendOutcome, AppendResult, ExpectedRevision, StreamWrite } from '../port.js';

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

/**
 * The write side of the store on its writer connection: one `appendBatch` is one
 * immediate transaction, with one `recordedAt` for all of it, `max(previous,
 * clock())`, so it never goes backwards, also across restarts. Duplicates (same
 * id, type and data) are reported, other content under a stored id is an
 * `IdConflictError`, and an expected revision that does not hold is a
 * `ConcurrencyError` unless the write is an idempotent retry.
 */
export const batchWriter = (
  db: Database.Database,
  clock: () => Date,
): ((writes: readonly StreamWrite[]) => AppendResult[]) => {
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
};
