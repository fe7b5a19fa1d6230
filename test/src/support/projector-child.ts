/**
 * A projector in its own process, for tests that SIGKILL or SIGSTOP it:
 * `projector-child.ts <nats url> <postgres url> <durable> <batch size> <ack wait ms> <lease ttl ms> <replicas>`.
 */
import { bacKan423of2024 } from '@nhagiao/domain';
import { projectCommand } from '@nhagiao/projector';
import { openPostgresReadModel } from '@nhagiao/readmodels';
import { jsonLogger } from './json-logger.js';

const [natsUrl, pgUrl, durableName, batch, ackWait, leaseTtl, replicas] = process.argv.slice(2);
if (natsUrl === undefined || pgUrl === undefined || durableName === undefined)
  throw new Error(
    'usage: projector-child <nats url> <postgres url> <durable> [batch] [ack wait ms]',
  );

const readModel = await openPostgresReadModel(pgUrl);
await projectCommand({
  natsUrl,
  readModel,
  indicators: bacKan423of2024.indicators,
  durableName,
  logger: jsonLogger,
  progressIntervalMs: 0,
  tuning: {
    batchSize: Number(batch ?? 100),
    ackWaitMs: Number(ackWait ?? 1_500),
    leaseTtlMs: Number(leaseTtl ?? 1_000),
    replicas: Number(replicas ?? 1),
    onFlush: (f) =>
      jsonLogger.info('flushed', {
        received: f.received,
        checkpoint: f.checkpoint?.toString() ?? null,
      }),
    onRefused: (e) => jsonLogger.info('refused', { stored: e.stored?.toString() ?? null }),
    onLease: (held) => jsonLogger.info(held ? 'lease held' : 'standing by'),
  },
});
await readModel.close();
