import {
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
  nanos,
} from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { BusError, isStreamNotFound } from './errors.js';
import { EVENTS_STREAM, EVENTS_SUBJECTS } from './subjects.js';

export interface EventsStreamOptions {
  /** Stream name; default `NHAGIAO_EVENTS`. */
  readonly name?: string;
  /** How long JetStream remembers a msgID to drop a re-publish; default 2 minutes. */
  readonly duplicateWindowMs?: number;
  /** Replicas in a cluster; default 1. */
  readonly replicas?: number;
}

/**
 * Creates the events stream when missing; when it exists, checks the settings the
 * pipeline relies on (file storage, no deletes, no purges, limits retention that
 * keeps everything) and throws `stream-misconfigured` listing each difference,
 * rather than changing a production stream silently.
 */
export const ensureEventsStream = async (
  jsm: JetStreamManager,
  options: EventsStreamOptions = {},
): Promise<StreamInfo> => {
  const name = options.name ?? EVENTS_STREAM;
  const wanted: Partial<StreamConfig> = {
    name,
    subjects: [EVENTS_SUBJECTS],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    deny_delete: true,
    deny_purge: true,
    duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
    num_replicas: options.replicas ?? 1,
  };
  let existing: StreamInfo;
  try {
    existing = await jsm.streams.info(name);
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
    return jsm.streams.add(wanted);
  }
  const c = existing.config;
  const problems: string[] = [];
  if (!c.subjects?.includes(EVENTS_SUBJECTS))
    problems.push(`subjects ${JSON.stringify(c.subjects)} do not include ${EVENTS_SUBJECTS}`);
  if (c.storage !== StorageType.File) problems.push(`storage is ${c.storage}, not file`);
  if (c.retention !== RetentionPolicy.Limits)
    problems.push(`retention is ${c.retention}, not limits`);
  if (c.deny_delete !== true) problems.push('deny_delete is not set');
  if (c.deny_purge !== true) problems.push('deny_purge is not set');
  if (c.max_age !== 0) problems.push(`max_age is ${c.max_age} ns, so old events would expire`);
  if (c.max_msgs > 0 || c.max_bytes > 0)
    problems.push('max_msgs/max_bytes limits would discard old events');
  if (c.duplicate_window !== wanted.duplicate_window)
    problems.push(
      `duplicate_window is ${c.duplicate_window / 1e6} ms, not ${(wanted.duplicate_window ?? 0) / 1e6} ms`,
    );
  if (problems.length > 0)
    throw new BusError(
      'stream-misconfigured',
      `JetStream stream ${name} exists with other settings: ${problems.join('; ')}`,
    );
  return existing;
};

/**
 * Waits until the stream `stream` exists (the relay creates it; a consumer
 * started first waits rather than guess its settings), calling `onWait` once
 * if it has to. Returns early when `signal` aborts; other errors are thrown.
 */
export const waitForStream = async (
  jsm: JetStreamManager,
  stream: string,
  signal: AbortSignal,
  onWait: () => void = () => undefined,
): Promise<void> => {
  let told = false;
  while (!signal.aborted) {
    try {
      await jsm.streams.info(stream);
      return;
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
      if (!told) onWait();
      told = true;
      await sleep(250, undefined, { signal }).catch(() => undefined);
    }
  }
};
