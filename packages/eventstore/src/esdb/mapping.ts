import type { RecordedEvent } from '@nhagiao/domain';
import {
  ANY,
  type AppendExpectedRevision,
  type JSONRecordedEvent,
  NO_STREAM,
  type Position,
  STREAM_EXISTS,
} from '@eventstore/db-client';
import type { ExpectedRevision } from '../port.js';

/** The stream-name prefixes of nhagiao (docs/events.md § Envelopes); everything else in `$all` is someone else's. */
export const NHAGIAO_STREAM_PREFIXES = [
  'teacher-',
  'unit-',
  'programme-',
  'funding-',
  'report-',
] as const;

export const isNhagiaoStream = (stream: string): boolean =>
  NHAGIAO_STREAM_PREFIXES.some((p) => stream.startsWith(p));

export const toExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision =>
  expected === 'any'
    ? ANY
    : expected === 'no-stream'
      ? NO_STREAM
      : expected === 'exists'
        ? STREAM_EXISTS
        : expected;

/**
 * The client reports "no stream" as the string `no_stream`, and older servers
 * (trailers) as revision -1.
 */
export const toActualRevision = (actual: bigint | string | undefined): bigint | null =>
  typeof actual === 'bigint' && actual >= 0n ? actual : null;

/** A position to start a `$all` read or subscription at; events are single records, so commit = prepare. */
export const allPosition = (position: bigint): Position => ({
  commit: position,
  prepare: position,
});

/** Above this the server means "no position" (2^64 - 1 on stream reads of older servers). */
const NO_POSITION = (1n << 63n) - 1n;

export class MissingPositionError extends Error {
  override readonly name = 'MissingPositionError';
}

/** Our RecordedEvent from the client's: position = commit position, recordedAt = server `created`. */
export const toRecordedEvent = (event: JSONRecordedEvent): RecordedEvent => {
  const commit = event.position?.commit;
  if (commit === undefined || commit > NO_POSITION) {
    throw new MissingPositionError(
      `the server gave no $all position for event ${event.id} of ${event.streamId}`,
    );
  }
  const metadata = event.metadata;
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    stream: event.streamId,
    revision: event.revision,
    position: commit,
    recordedAt: event.created.toISOString(),
    metadata:
      metadata !== undefined && metadata !== null && typeof metadata === 'object'
        ? (metadata as Record<string, string>)
        : {},
  } as RecordedEvent;
};
