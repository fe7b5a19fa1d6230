import {
  EVENTS_STREAM,
  type NatsConnection,
  PROJECTOR_BUCKET,
  RELAY_BUCKET,
  RELAY_CHECKPOINT_KEY,
  isStreamNotFound,
  kvCheckpointStore,
  leaseHolder,
  openKvBucket,
  readStreamTail,
} from '@nhagiao/bus';
import { type IndicatorDefinition, createLedgerProjection } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import type { LedgerCheck, ReadModelStore } from '@nhagiao/readmodels';
import { LEDGER_PROJECTION } from './ledger-applier.js';
import { projectorLeaseKey } from './projector.js';

export interface StatusOptions {
  readonly store: EventStore;
  /** One read model, or several (e.g. the active version and one being rebuilt). */
  readonly readModel: ReadModelStore | readonly ReadModelStore[];
  /** Without it, only the store and the read models are looked at. */
  readonly nc?: NatsConnection;
  readonly streamName?: string;
  /**
   * The plan's indicators: with them, each read model's ledger row count is
   * checked against the rows the events up to its checkpoint make (the store
   * replayed in memory, nothing written).
   */
  readonly indicators?: readonly IndicatorDefinition[];
}

export interface ReadModelStatus {
  readonly version: string;
  readonly active: boolean;
  readonly checkpoint: bigint | null;
  /** Store positions between the checkpoint and the head (event count on SQLite, where positions are consecutive). */
  readonly lag: bigint | null;
  /** The ledger's rows, copies of a row (an event written twice) and rows past the checkpoint. */
  readonly check: LedgerCheck;
  /**
   * The rows the ledger projection makes of the store's events up to the
   * checkpoint (with `indicators`; null without a checkpoint): `check.rows`
   * must equal it.
   */
  readonly expectedRows?: number | null;
  /** The projector holding this read model's lease (with NATS); null when none does. */
  readonly leaseHolder?: string | null;
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
  readonly relay: {
    readonly checkpoint: bigint | null;
    readonly lag: bigint | null;
    /** The relay holding the lease; null when none does. */
    readonly leaseHolder: string | null;
  } | null;
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
 * How many ledger rows the events of `store` up to each of `checkpoints` make:
 * one pass of the ledger projection over the log, in memory.
 */
export const expectedLedgerRows = async (
  store: EventStore,
  indicators: readonly IndicatorDefinition[],
  checkpoints: readonly bigint[],
): Promise<Map<bigint, number>> => {
  const wanted = [...new Set(checkpoints)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const counts = new Map<bigint, number>();
  if (wanted.length === 0) return counts;
  const projection = createLedgerProjection(indicators);
  const last = wanted[wanted.length - 1]!;
  let rows = 0;
  let i = 0;
  const stop = new AbortController();
  for await (const event of store.readAll({ signal: stop.signal })) {
    while (i < wanted.length && event.position > wanted[i]!) counts.set(wanted[i++]!, rows);
    if (event.position > last) break;
    rows += projection.project(event).length;
  }
  stop.abort();
  while (i < wanted.length) counts.set(wanted[i++]!, rows);
  return counts;
};

/**
 * A read model's checkpoint and ledger check as of one moment: rows and
 * checkpoint are committed together, so a check whose checkpoint did not move
 * while it ran is consistent (a projector committing meanwhile makes it look again).
 */
const consistentCheck = async (
  rm: ReadModelStore,
): Promise<{ checkpoint: bigint | null; check: LedgerCheck }> => {
  for (let attempt = 0; ; attempt += 1) {
    const checkpoint = await rm.checkpoint(LEDGER_PROJECTION);
    const check = await rm.ledgerCheck(LEDGER_PROJECTION);
    if ((await rm.checkpoint(LEDGER_PROJECTION)) === checkpoint || attempt >= 20)
      return { checkpoint, check };
  }
};

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
    const { checkpoint, check } = await consistentCheck(rm);
    readModels.push({
      version: rm.version,
      active: (await rm.activeVersion()) === rm.version,
      checkpoint,
      lag: behind(storeHead, checkpoint),
      check,
    });
  }
  if (options.indicators !== undefined) {
    const expected = await expectedLedgerRows(
      options.store,
      options.indicators,
      readModels.flatMap((r) => (r.checkpoint === null ? [] : [r.checkpoint])),
    );
    for (const [i, r] of readModels.entries())
      readModels[i] = {
        ...r,
        expectedRows: r.checkpoint === null ? null : (expected.get(r.checkpoint) ?? null),
      };
  }
  if (options.nc === undefined)
    return { storeHead, relay: null, stream: null, readModels, consumers: [] };

  const js = options.nc.jetstream();
  const jsm = await options.nc.jetstreamManager();
  const relayKv = await openKvBucket(js, RELAY_BUCKET);
  const relayCheckpoint = await kvCheckpointStore(relayKv, RELAY_CHECKPOINT_KEY).load();
  const relayHolder = await leaseHolder(relayKv, 'lease');
  const projectorKv = await openKvBucket(js, PROJECTOR_BUCKET);
  for (const [i, rm] of models.entries()) {
    const r = readModels[i]!;
    readModels[i] = {
      ...r,
      leaseHolder: await leaseHolder(projectorKv, await projectorLeaseKey(rm)),
    };
  }
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
    if (!isStreamNotFound(error)) throw error;
  }
  return {
    storeHead,
    relay: {
      checkpoint: relayCheckpoint,
      lag: behind(storeHead, relayCheckpoint),
      leaseHolder: relayHolder,
    },
    stream,
    readModels,
    consumers,
  };
};

export interface StatusThresholds {
  /** Most positions a read model (and the relay) may lag behind the store's head. */
  readonly maxLag: bigint;
}

/**
 * What is wrong, for `nhagiao status` to exit non-zero on: a lag past the
 * threshold, a ledger with a copied row, a row past its checkpoint or another
 * row count than the events up to its checkpoint make, no relay or projector
 * holding its lease (with NATS).
 */
export const statusProblems = (s: PipelineStatus, t: StatusThresholds): string[] => {
  const problems: string[] = [];
  if (s.relay !== null) {
    if (s.relay.lag !== null && s.relay.lag > t.maxLag)
      problems.push(
        `relay lags ${s.relay.lag} positions behind the store (most allowed ${t.maxLag})`,
      );
    if (s.relay.leaseHolder === null) problems.push('no relay holds the lease');
  }
  for (const r of s.readModels) {
    const name = `read model ${r.version}`;
    if (r.active && r.lag !== null && r.lag > t.maxLag)
      problems.push(`${name} lags ${r.lag} positions behind the store (most allowed ${t.maxLag})`);
    if (r.check.duplicateRows > 0)
      problems.push(
        `${name}: ${r.check.duplicateRows} ledger rows are copies of another (an event written twice): rebuild it`,
      );
    if (r.check.beyondCheckpoint > 0)
      problems.push(
        `${name}: ${r.check.beyondCheckpoint} ledger rows lie past its checkpoint: rebuild it`,
      );
    if (r.expectedRows !== undefined && r.expectedRows !== null && r.check.rows !== r.expectedRows)
      problems.push(
        `${name}: ${r.check.rows} ledger rows where the events up to its checkpoint make ${r.expectedRows}: rebuild it`,
      );
    if (r.active && r.leaseHolder === null) problems.push(`no projector holds ${name}`);
  }
  return problems;
};

/** The status as lines of text, for the CLI. */
export const formatStatus = (s: PipelineStatus): string[] => {
  const p = (x: bigint | null): string => (x === null ? '-' : x.toString());
  const lines = [`store head            ${p(s.storeHead)}`];
  if (s.relay !== null)
    lines.push(
      `relay checkpoint      ${p(s.relay.checkpoint)} (lag ${p(s.relay.lag)}), lease held by ${s.relay.leaseHolder ?? 'nobody'}`,
    );
  if (s.stream !== null)
    lines.push(
      `stream ${s.stream.name}  ${s.stream.messages} messages, last position ${p(s.stream.lastPosition)}`,
    );
  for (const r of s.readModels)
    lines.push(
      `read model ${r.version}${r.active ? ' (active)' : ''}  checkpoint ${p(r.checkpoint)} (lag ${p(r.lag)}), ${r.check.rows} ledger rows${r.expectedRows === undefined || r.expectedRows === null ? '' : ` (expected ${r.expectedRows})`} (${r.check.duplicateRows} copied, ${r.check.beyondCheckpoint} past the checkpoint)${r.leaseHolder === undefined ? '' : `, projected by ${r.leaseHolder ?? 'nobody'}`}`,
    );
  for (const c of s.consumers)
    lines.push(
      `consumer ${c.name}  pending ${c.pending}, unacked ${c.ackPending}, redelivered ${c.redelivered}`,
    );
  return lines;
};
