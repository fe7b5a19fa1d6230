/**
 * A relay in its own process, for fault tests that SIGKILL it:
 * `tsx relay-child.ts <sqlite path> <nats url> <holder id> <lease ttl ms> <checkpoint interval ms>`.
 * Logs one JSON line per log call on stdout.
 */
import { openSqliteEventStore } from '@nhagiao/eventstore';
import type { Logger } from '@nhagiao/bus';
import { relayCommand } from '../command.js';

const [path, natsUrl, holderId, ttl, interval] = process.argv.slice(2);
if (path === undefined || natsUrl === undefined || holderId === undefined)
  throw new Error(
    'usage: relay-child <sqlite path> <nats url> <holder id> [ttl ms] [checkpoint ms]',
  );

const line =
  (level: string) =>
  (message: string, fields?: Record<string, unknown>): void => {
    process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`);
  };
const logger: Logger = { info: line('info'), warn: line('warn'), error: line('error') };

const store = openSqliteEventStore(path, { readOnly: true, pollIntervalMs: 10 });
await relayCommand({
  store,
  natsUrl,
  holderId,
  logger,
  tuning: {
    leaseTtlMs: Number(ttl ?? 1_000),
    checkpointIntervalMs: Number(interval ?? 500),
    retryDelayMs: 100,
    onPublished: (p) => line('info')('published', { position: p.toString() }),
  },
});
await store.close();
