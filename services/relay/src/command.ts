import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type Logger,
  type OpsServer,
  PipelineMetrics,
  RELAY_BUCKET,
  RELAY_CHECKPOINT_KEY,
  connectNats,
  kvCheckpointStore,
  openKvBucket,
  startOpsServer,
  stopSignal,
  watchConnection,
} from '@nhagiao/bus';
import type { EventStore } from '@nhagiao/eventstore';
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
      | 'replicas'
      | 'onPublished'
      | 'onLease'
    >
  >;
  /** `--listen HOST:PORT`: serve /healthz, /readyz and /metrics there. */
  readonly listen?: string;
  /** Told where the ops endpoints listen. */
  readonly onListening?: (url: string) => void;
  /** `/readyz` fails while the relay is more than this many positions behind the store; default 1,000. */
  readonly readyLagEvents?: number;
  /** A progress line this often; default 10 s (0: none). */
  readonly progressIntervalMs?: number;
}

/**
 * `nhagiao relay`: connects to NATS (reconnecting forever), keeps the checkpoint
 * in the relay's KV bucket and runs the relay until signalled. Closes the
 * connection, not the store (the caller opened it).
 */
export const relayCommand = async (options: RelayCommandOptions): Promise<void> => {
  const { logger, store } = options;
  const tuning = options.tuning ?? {};
  const { signal, detach } = stopSignal(options.signal);
  const metrics = new PipelineMetrics('relay');
  const nc = await connectNats(options.natsUrl, 'nhagiao-relay');
  let connected = true;
  void watchConnection(nc, logger, (state) => {
    connected = state === 'connected';
    metrics.natsConnected.set(connected ? 1 : 0);
  });
  let holding = false;
  let holder: string | null = null;
  let acked: bigint | null = null;
  let lag: bigint | null = null;
  /**
   * Positions between the store's head and the last acked one, and the age of
   * the oldest event not yet acked: how long ago the first event past the acked
   * position was recorded in the store (0 when caught up).
   */
  const measure = async (): Promise<void> => {
    const head = await store.head();
    const behind = (head ?? 0n) - (acked ?? 0n);
    lag = behind > 0n ? behind : 0n;
    let ageSeconds = 0;
    if (lag > 0n) {
      const stop = new AbortController();
      for await (const event of store.readAll({
        ...(acked === null ? {} : { after: acked }),
        signal: stop.signal,
      })) {
        ageSeconds = Math.max(0, (Date.now() - Date.parse(event.recordedAt)) / 1000);
        break;
      }
      stop.abort();
    }
    metrics.lagEvents.set(Number(lag));
    metrics.lagSeconds.set(ageSeconds);
  };
  const readyLag = BigInt(options.readyLagEvents ?? 1_000);
  let ops: OpsServer | undefined;
  let ticker: NodeJS.Timeout | undefined;
  try {
    if (options.listen !== undefined) {
      ops = await startOpsServer({
        listen: options.listen,
        registry: metrics.registry,
        readiness: async () => {
          await measure();
          const ready = connected && (holding ? lag !== null && lag <= readyLag : holder !== null);
          return {
            ready,
            detail: {
              state: holding ? 'publishing' : 'standing by',
              holder,
              acked,
              lagEvents: lag,
              readyLagEvents: readyLag,
              natsConnected: connected,
            },
          };
        },
      });
      logger.info('relay ops endpoints listening', { url: ops.url });
      options.onListening?.(ops.url);
    }
    let from: bigint | null = acked;
    let since = performance.now();
    const interval = options.progressIntervalMs ?? 10_000;
    if (interval > 0)
      ticker = setInterval(() => {
        void measure()
          .catch(() => undefined)
          .then(() => {
            const seconds = (performance.now() - since) / 1000;
            const moved = acked === null ? 0 : Number(acked - (from ?? 0n));
            logger.info('relay progress', {
              state: holding ? 'publishing' : 'standing by',
              holder,
              acked,
              eventsPerSecond: Math.round(moved / seconds),
              lagEvents: lag,
            });
            from = acked;
            since = performance.now();
          });
      }, interval);
    const kv = await openKvBucket(nc.jetstream(), RELAY_BUCKET, {
      ...(tuning.replicas === undefined ? {} : { replicas: tuning.replicas }),
    });
    await runRelay({
      ...tuning,
      store,
      nc,
      checkpoint: kvCheckpointStore(kv, RELAY_CHECKPOINT_KEY),
      holderId: options.holderId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
      signal,
      logger,
      onPublished: (p) => {
        // Positions: event counts on the SQLite store, where they are consecutive.
        metrics.relayed.inc(Number(p - (acked ?? 0n)));
        metrics.position.set(Number(p));
        acked = p;
        tuning.onPublished?.(p);
      },
      onLease: (held, who) => {
        holding = held;
        holder = who;
        metrics.setHolder(held, who);
        tuning.onLease?.(held, who);
      },
    });
  } finally {
    clearInterval(ticker);
    detach();
    await ops?.close();
    await nc.drain().catch(() => nc.close());
  }
};
