import type { RecordedEvent } from '@nhagiao/domain';
import {
  BACKWARDS,
  END,
  type EventStoreDBClient,
  FORWARDS,
  type JSONRecordedEvent,
  type AllStreamRecordedEvent,
  START,
  StreamNotFoundError,
  UnknownError,
} from '@eventstore/db-client';
import { status as grpcStatus } from '@grpc/grpc-js';
import { allPosition, isNhagiaoStream, toRecordedEvent } from './mapping.js';

type AllEvent = AllStreamRecordedEvent;

/** Events per read call: bounds what one call buffers, and lets a reader stop between pages. */
export const PAGE_SIZE = 512;

const collectPage = async <T>(
  read: AsyncIterable<{ readonly event?: T | undefined }>,
): Promise<T[]> => {
  const out: T[] = [];
  for await (const resolved of read) if (resolved.event) out.push(resolved.event);
  return out;
};

/** One page of a stream, from a revision on; empty when the stream does not exist. */
export const readStreamPage = async (
  client: EventStoreDBClient,
  stream: string,
  fromRevision: bigint,
  maxCount = PAGE_SIZE,
): Promise<RecordedEvent[]> => {
  try {
    const page = await collectPage(
      client.readStream<never>(stream, {
        fromRevision: fromRevision === 0n ? START : fromRevision,
        direction: FORWARDS,
        maxCount,
        requiresLeader: true,
      }),
    );
    return page.map((e) => toRecordedEvent(e as unknown as JSONRecordedEvent));
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
};

/**
 * One page of `$all` strictly after `after`. The server reads from a position
 * inclusively, so the event at `after` itself is dropped here. Returns the
 * nhagiao events and the last position seen (system events included), to page on.
 */
export const readAllPage = async (
  client: EventStoreDBClient,
  after: bigint | undefined,
): Promise<{ events: RecordedEvent[]; last: bigint | undefined; full: boolean }> => {
  const raw = await collectPage(
    client.readAll({
      fromPosition: after === undefined ? START : allPosition(after),
      direction: FORWARDS,
      maxCount: PAGE_SIZE,
      requiresLeader: true,
    }),
  );
  const events: RecordedEvent[] = [];
  let last = after;
  for (const e of raw) {
    const position = e.position?.commit;
    if (position === undefined || (after !== undefined && position <= after)) continue;
    last = position;
    if (isNhagiaoStream(e.streamId)) events.push(toRecordedEvent(e as JSONRecordedEvent));
  }
  return { events, last, full: raw.length >= PAGE_SIZE };
};

/**
 * The nhagiao event at exactly this `$all` position: a forwards read from a
 * position includes the record there. A position where no record starts is
 * refused by the server (INVALID_ARGUMENT), which means no event is there.
 */
export const nhagiaoEventAt = async (
  client: EventStoreDBClient,
  position: bigint,
): Promise<RecordedEvent | undefined> => {
  try {
    const [first] = await collectPage(
      client.readAll({
        fromPosition: allPosition(position),
        direction: FORWARDS,
        maxCount: 1,
        requiresLeader: true,
      }),
    );
    return first?.position?.commit === position && isNhagiaoStream(first.streamId)
      ? toRecordedEvent(first as JSONRecordedEvent)
      : undefined;
  } catch (error) {
    if (error instanceof UnknownError && error.code === grpcStatus.INVALID_ARGUMENT)
      return undefined;
    throw error;
  }
};

/** Position of the last nhagiao event in `$all`, skipping the system events a server writes after it. */
export const lastNhagiaoPosition = async (client: EventStoreDBClient): Promise<bigint | null> => {
  let from: 'end' | bigint = END;
  for (;;) {
    const raw: AllEvent[] = await collectPage(
      client.readAll({
        fromPosition: from === END ? END : allPosition(from),
        direction: BACKWARDS,
        maxCount: PAGE_SIZE,
        requiresLeader: true,
      }),
    );
    for (const e of raw) {
      const position = e.position?.commit;
      if (position !== undefined && isNhagiaoStream(e.streamId)) return position;
    }
    const oldest: bigint | undefined = raw.at(-1)?.position?.commit;
    if (raw.length < PAGE_SIZE || oldest === undefined || oldest === from) return null;
    from = oldest;
  }
};
