import { type Logger, connectNats, stopSignal, watchConnection } from '@nhagiao/bus';
import type { IndicatorDefinition } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import type { ReadModelStore } from '@nhagiao/readmodels';
import { connect } from 'nats';
import { type ProjectorOptions, type ProjectorResult, runProjector } from './projector.js';
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
}

/**
 * `nhagiao project`: connects to NATS (reconnecting forever) and runs the
 * projector until signalled. Closes the connection, not the read model.
 */
export const projectCommand = async (options: ProjectCommandOptions): Promise<ProjectorResult> => {
  const { signal, detach } = stopSignal(options.signal);
  const nc = await connectNats(options.natsUrl, 'nhagiao-projector');
  void watchConnection(nc, options.logger, (state) =>
    options.onConnection?.(state === 'connected'),
  );
  try {
    return await runProjector({
      ...options.tuning,
      nc,
      readModel: options.readModel,
      indicators: options.indicators,
      durableName: options.durableName ?? defaultDurableName(options.readModel),
      signal,
      logger: options.logger,
    });
  } finally {
    detach();
    await nc.drain().catch(() => nc.close());
  }
};

export interface StatusCommandOptions {
  readonly store: EventStore;
  readonly readModel: ReadModelStore | readonly ReadModelStore[];
  /** Without it, the relay, stream and consumers are not shown. */
  readonly natsUrl?: string;
}

/** `nhagiao status`: one look at the whole pipeline. */
export const statusCommand = async (options: StatusCommandOptions): Promise<PipelineStatus> => {
  if (options.natsUrl === undefined)
    return projectorStatus({ store: options.store, readModel: options.readModel });
  const nc = await connect({
    servers: options.natsUrl.split(',').map((s) => s.trim()),
    name: 'nhagiao-status',
  });
  try {
    return await projectorStatus({ store: options.store, readModel: options.readModel, nc });
  } finally {
    await nc.close();
  }
};
