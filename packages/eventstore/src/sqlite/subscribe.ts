import type Database from 'better-sqlite3';
import type { ReadOptions, SubscriptionMessage } from '../port.js';
import { logPageQuery } from './reads.js';
import { toRecorded } from './rows.js';
import type { Wakeup } from './wakeup.js';

/**
 * Catch-up then live on the reader connection: pages of the log after `after`,
 * one `caught-up` once a page comes back short, then a wait for the next
 * append (woken at once by this process's appends, else after a poll interval,
 * for another process's).
 */
export const sqliteSubscriber = (
  reader: Database.Database,
  settings: { readonly pageSize: number; readonly pollIntervalMs: number },
  wakeup: Wakeup,
  isClosed: () => boolean,
) => {
  const page = logPageQuery(reader);
  return async function* subscribe(options: ReadOptions = {}): AsyncGenerator<SubscriptionMessage> {
    const { signal } = options;
    let last = options.after ?? 0n;
    let delivered: bigint | null = options.after ?? null;
    let caughtUp = false;
    for (;;) {
      if (isClosed() || signal?.aborted) return;
      const rows = page.all(last, settings.pageSize);
      for (const row of rows) {
        last = row.position;
        delivered = row.position;
        yield { kind: 'event', event: toRecorded(row) };
        if (isClosed() || signal?.aborted) return;
      }
      if (rows.length === settings.pageSize) continue;
      if (!caughtUp) {
        caughtUp = true;
        yield { kind: 'caught-up', position: delivered };
        continue;
      }
      await wakeup.wait(settings.pollIntervalMs, signal);
    }
  };
};
