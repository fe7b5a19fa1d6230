import {
  EVENTS_STREAM,
  type Logger,
  type OpsServer,
  PipelineMetrics,
  connectNats,
  readStreamTail,
  recordedAtOf,
  startOpsServer,
  stopSignal,
  watchConnection,
} from '@nhagiao/bus';
import type { IndicatorDefinition } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import type { ReadModelStore } from '@nhagiao/readmodels';
import { LEDGER_PROJECTION } from './ledger-applier.js';
import {
  type ProjectorOptions,
  type ProjectorResult,
  runProjector,
  streamCursorName,
} from './projector.js';
import { type PipelineStatus, projectorStatus } from './status.js';

/** The durable consumer of a read-model version, when the operator names none. */
export const defaultDurableName = (readModel: ReadModelStore): string =>
  `nhagiao-projector-${readModel.version}`;

export interface ProjectCommandOptions {
  /** `--nats URL`, one or several comma-separated. */
  readonly natsUrl: string;
  /** The opened read model (`--readmodel postgres:URL|sqlite:PATH`); the caller closes it. */
  readonly readModel: ReadModelStore;
  readonly indicators: readonly IndicatorDefinition[];
  readonly logger: Logger;
  /** `--durable NAME`; default `nhagiao-projector-<version>`. */
  readonly durableName?: string;
  /** Stops the projector; when absent SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal;
  readonly tuning?: Partial<
    Pick<
      ProjectorOptions,
      | 'batchSize'
      | 'fetchSize'
      | 'streamName'
      | 'ackWaitMs'
      | 'stallMs'
      | 'maxAckPending'
      | 'leaseTtlMs'
      | 'replicas'
      | 'holderId'
      | 'onFlush'
      | 'onLease'
      | 'onRefused'
      | 'onRedelivered'
    >
  >;
  /** Told when the NATS connection is lost and restored. */
  readonly onConnection?: (connected: boolean) => void;
  /** `--listen HOST:PORT`: serve /healthz, /readyz and /metrics there. */
  readonly listen?: string;
  /** Told where the ops endpoints listen. */
  readonly onListening?: (url: string) => void;
  /** `/readyz` fails while the read model is more than this many events behind the stream; default 1,000. */
  readonly readyLagEvents?: number;
  /** A progress line this often; default 10 s (0: none). */
  readonly progressIntervalMs?: number;
}

/**
 * `nhagiao project`: connects to NATS (reconnecting forever) and runs the
 * projector until signalled. Closes the connection, not the read model.
 */
export const projectCommand = async (options: ProjectCommandOptions): Promise<ProjectorResult> => {
  const { signal, detach } = stopSignal(options.signal);
  const { logger, readModel } = options;
  const tuning = options.tuning ?? {};
  const stream = tuning.streamName ?? EVENTS_STREAM;
  const metrics = new PipelineMetrics('projector');
  const nc = await connectNats(options.natsUrl, 'nhagiao-projector');
  let connected = true;
  void watchConnection(nc, logger, (state) => {
    connected = state === 'connected';
    metrics.natsConnected.set(connected ? 1 : 0);
    options.onConnection?.(connected);
  });
  let holding = false;
  let holder: string | null = null;
  let lag: bigint | null = null;
  let checkpoint: bigint | null = null;
  /**
   * Events behind the stream's tail (positions; event counts on the SQLite
   * store), and the age of the oldest of them: how long ago the first event
   * past the checkpoint was recorded in the store (0 when caught up).
   */
  const measure = async (): Promise<void> => {
    checkpoint = await readModel.checkpoint(LEDGER_PROJECTION);
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    const tail = await readStreamTail(jsm, stream).catch(() => null);
    if (tail === null) return;
    const behind = tail.position === null ? 0n : tail.position - (checkpoint ?? 0n);
    lag = behind > 0n ? behind : 0n;
    let ageSeconds = 0;
    if (lag > 0n) {
      const cursor = await readModel.checkpoint(streamCursorName(stream));
      const recordedAt = await recordedAtOf(jsm, stream, Number(cursor ?? 0n) + 1);
      if (recordedAt !== null)
        ageSeconds = Math.max(0, (Date.now() - Date.parse(recordedAt)) / 1000);
    }
    metrics.lagEvents.set(Number(lag));
    metrics.lagSeconds.set(ageSeconds);
    if (checkpoint !== null) metrics.position.set(Number(checkpoint));
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
              state: holding ? 'projecting' : 'standing by',
              holder,
              checkpoint,
              lagEvents: lag,
              readyLagEvents: readyLag,
              natsConnected: connected,
            },
          };
        },
      });
      logger.info('projector ops endpoints listening', { url: ops.url });
      options.onListening?.(ops.url);
    }
    let projected = 0;
    let since = performance.now();
    const interval = options.progressIntervalMs ?? 10_000;
    if (interval > 0)
      ticker = setInterval(() => {
        void measure()
          .catch(() => undefined)
          .then(() => {
            const seconds = (performance.now() - since) / 1000;
            logger.info('projector progress', {
              state: holding ? 'projecting' : 'standing by',
              holder,
              checkpoint,
              projected,
              eventsPerSecond: Math.round(projected / seconds),
              lagEvents: lag,
            });
            projected = 0;
            since = performance.now();
          });
      }, interval);
    return await runProjector({
      ...tuning,
      nc,
      readModel,
      indicators: options.indicators,
      durableName: options.durableName ?? defaultDurableName(readModel),
      signal,
      logger,
      onFlush: (f) => {
        projected += f.received;
        metrics.projected.inc(f.received);
        metrics.batchSeconds.observe(f.durationMs / 1000);
        if (f.checkpoint !== null) metrics.position.set(Number(f.checkpoint));
        tuning.onFlush?.(f);
      },
      onLease: (held, who) => {
        holding = held;
        holder = who;
        metrics.setHolder(held, who);
        tuning.onLease?.(held, who);
      },
      onRefused: (e) => {
        metrics.refusals.inc();
        tuning.onRefused?.(e);
      },
      onRedelivered: () => {
        metrics.redeliveries.inc();
        tuning.onRedelivered?.();
      },
    });
  } finally {
    clearInterval(ticker);
    detach();
    await ops?.close();
    await nc.drain().catch(() => nc.close());
  }
};

export interface StatusCommandOptions {
  readonly store: EventStore;
  readonly readModel: ReadModelStore | readonly ReadModelStore[];
  /** Without it, the relay, stream and consumers are not shown. */
  readonly natsUrl?: string;
  /** With them, each ledger's row count is checked against the store (see `StatusOptions`). */
  readonly indicators?: readonly IndicatorDefinition[];
}

/** `nhagiao status`: one look at the whole pipeline. */
export const statusCommand = async (options: StatusCommandOptions): Promise<PipelineStatus> => {
  const base = {
    store: options.store,
    readModel: options.readModel,
    ...(options.indicators === undefined ? {} : { indicators: options.indicators }),
  };
  if (options.natsUrl === undefined) return projectorStatus(base);
  const nc = await connectNats(options.natsUrl, 'nhagiao-status', { reconnect: false });
  try {
    return await projectorStatus({ ...base, nc });
  } finally {
    await nc.close();
  }
};
