import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Logger, RELAY_BUCKET, openKvBucket, stopSignal } from '@nhagiao/bus';
import type { EventStore } from '@nhagiao/eventstore';
import { connect } from 'nats';
import { RELAY_CHECKPOINT_KEY, kvCheckpointStore } from './checkpoint.js';
import { type RelayOptions, runRelay } from './relay.js';

export interface RelayCommandOptions {
  /** The opened event store (`--store sqlite:PATH|esdb:URL`, opened read-only where it can be). */
  readonly store: EventStore;
  /** `--nats URL`, one or several comma-separated. */
  readonly natsUrl: string;
  readonly logger: Logger;
  /** Stops the relay; when absent SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal;
  readonly holderId?: string;
  readonly tuning?: Partial<
    Pick<
      RelayOptions,
      | 'streamName'
      | 'duplicateWindowMs'
      | 'leaseTtlMs'
      | 'maxOutstanding'
      | 'checkpointIntervalMs'
      | 'retryDelayMs'
      | 'onPublished'
    >
  >;
}

/**
 * `nhagiao relay`: connects to NATS (reconnecting forever), keeps the checkpoint
 * in the relay's KV bucket and runs the relay until signalled. Closes the
 * connection, not the store (the caller opened it).
 */
export const relayCommand = async (options: RelayCommandOptions): Promise<void> => {
  const { logger } = options;
  const { signal, detach } = stopSignal(options.signal);
  const nc = await connect({
    servers: options.natsUrl.split(',').map((s) => s.trim()),
    name: 'nhagiao-relay',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  try {
    const kv = await openKvBucket(nc.jetstream(), RELAY_BUCKET);
    await runRelay({
      ...options.tuning,
      store: options.store,
      nc,
      checkpoint: kvCheckpointStore(kv, RELAY_CHECKPOINT_KEY),
      holderId: options.holderId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
      signal,
      logger,
    });
  } finally {
    detach();
    await nc.drain().catch(() => nc.close());
  }
};
