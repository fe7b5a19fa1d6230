/**
 * A relay in its own process, for tests that SIGKILL it:
 * `relay-child.ts <sqlite path> <nats url> <holder id> <checkpoint interval ms>`.
 */
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { relayCommand } from '@nhagiao/relay';
import { jsonLogger } from './json-logger.js';

const [path, natsUrl, holderId, interval] = process.argv.slice(2);
if (path === undefined || natsUrl === undefined || holderId === undefined)
  throw new Error('usage: relay-child <sqlite path> <nats url> <holder id> [checkpoint ms]');

const store = openSqliteEventStore(path, { readOnly: true, pollIntervalMs: 10 });
await relayCommand({
  store,
  natsUrl,
  holderId,
  logger: jsonLogger,
  tuning: {
    leaseTtlMs: 1_000,
    checkpointIntervalMs: Number(interval ?? 500),
    retryDelayMs: 100,
    maxOutstanding: 64,
    onPublished: (p) => jsonLogger.info('published', { position: p.toString() }),
  },
});
await store.close();
