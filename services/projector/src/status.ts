import { EVENTS_STREAM, RELAY_BUCKET, openKvBucket, readStreamTail } from '@nhagiao/bus';
import type { EventStore } from '@nhagiao/eventstore';
import type { ReadModelStore } from '@nhagiao/readmodels';
import { RELAY_CHECKPOINT_KEY, kvCheckpointStore } from '@nhagiao/relay';
import type { NatsConnection } from 'nats';
import { LEDGER_PROJECTION } from './ledger-applier.js';

export interface StatusOptions {
  readonly store: EventStore;
  /** One read model, or several (e.g. the active version and one being rebuilt). */
  readonly readModel: ReadModelStore | readonly ReadModelStore[];
  /** Without it, only the store and the read models are looked at. */
  readonly nc?: NatsConnection;
  readonly streamName?: string;
}

export interface ReadModelStatus {
  readonly version: string;
  readonly active: boolean;
  readonly checkpoint: bigint | null;
  /** Store positions between the checkpoint and the head (event count on SQLite, where positions are consecutive). */
  readonly lag: bigint | null;
}

export interface ConsumerStatus {
  readonly name: string;
  /** Messages in the stream not yet delivered to it. */
  readonly pending: number;
  /** Delivered and not yet acked. */
  readonly ackPending: number;
  readonly redelivered: number;
  /** Stream sequence below which everything is acked. */
  readonly ackFloor: number;
}

export interface PipelineStatus {
  readonly storeHead: bigint | null;
  /** Null when NATS was not given. */
  readonly relay: { readonly checkpoint: bigint | null; readonly lag: bigint | null } | null;
  readonly stream: {
    readonly name: string;
    readonly messages: number;
    readonly lastSequence: number;
    readonly lastPosition: bigint | null;
  } | null;
  readonly readModels: readonly ReadModelStatus[];
  readonly consumers: readonly ConsumerStatus[];
}

const behind = (head: bigint | null, at: bigint | null): bigint | null =>
  head === null ? null : head - (at ?? 0n);

/**
 * Lag and health for `nhagiao status`: the store's head, the relay's checkpoint
 * (in its KV bucket), the events stream, each read model's checkpoint and each
 * durable consumer's backlog.
 */
export const projectorStatus = async (options: StatusOptions): Promise<PipelineStatus> => {
  const storeHead = await options.store.head();
  const models = Array.isArray(options.readModel)
    ? (options.readModel as readonly ReadModelStore[])
    : [options.readModel as ReadModelStore];
  const readModels: ReadModelStatus[] = [];
  for (const rm of models) {
    const checkpoint = await rm.checkpoint(LEDGER_PROJECTION);
    readModels.push({
      version: rm.version,
      active: (await rm.activeVersion()) === rm.version,
      checkpoint,
      lag: behind(storeHead, checkpoint),
    });
  }
  if (options.nc === undefined)
    return { storeHead, relay: null, stream: null, readModels, consumers: [] };

  const js = options.nc.jetstream();
  const jsm = await options.nc.jetstreamManager();
  const relayCheckpoint = await kvCheckpointStore(
    await openKvBucket(js, RELAY_BUCKET),
    RELAY_CHECKPOINT_KEY,
  ).load();
  const name = options.streamName ?? EVENTS_STREAM;
  let stream: PipelineStatus['stream'] = null;
  const consumers: ConsumerStatus[] = [];
  try {
    const info = await jsm.streams.info(name);
    const tail = await readStreamTail(jsm, name);
    stream = {
      name,
      messages: info.state.messages,
      lastSequence: tail.lastSequence,
      lastPosition: tail.position,
    };
    for await (const c of jsm.consumers.list(name)) {
      consumers.push({
        name: c.name,
        pending: c.num_pending,
        ackPending: c.num_ack_pending,
        redelivered: c.num_redelivered,
        ackFloor: c.ack_floor.stream_seq,
      });
    }
  } catch (error) {
    // A stream the relay has not created yet is a state to show, not a failure.
    if (!(error instanceof Error && /stream not found/i.test(error.message))) throw error;
  }
  return {
    storeHead,
    relay: { checkpoint: relayCheckpoint, lag: behind(storeHead, relayCheckpoint) },
    stream,
    readModels,
    consumers,
  };
};

/** The status as lines of text, for the CLI. */
export const formatStatus = (s: PipelineStatus): string[] => {
  const p = (x: bigint | null): string => (x === null ? '-' : x.toString());
  const lines = [`store head            ${p(s.storeHead)}`];
  if (s.relay !== null)
    lines.push(`relay checkpoint      ${p(s.relay.checkpoint)} (lag ${p(s.relay.lag)})`);
  if (s.stream !== null)
    lines.push(
      `stream ${s.stream.name}  ${s.stream.messages} messages, last position ${p(s.stream.lastPosition)}`,
    );
  for (const r of s.readModels)
    lines.push(
      `read model ${r.version}${r.active ? ' (active)' : ''}  checkpoint ${p(r.checkpoint)} (lag ${p(r.lag)})`,
    );
  for (const c of s.consumers)
    lines.push(
      `consumer ${c.name}  pending ${c.pending}, unacked ${c.ackPending}, redelivered ${c.redelivered}`,
    );
  return lines;
};
