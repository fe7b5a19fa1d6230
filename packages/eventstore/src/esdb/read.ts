import type { RecordedEvent } from '@nhagiao/domain';
import { ReadEndedEarlyError } from './errors.js';
import {
  BACKWARDS,
  END,
  type EventStoreDBClient,
  FORWARDS,
  type JSONRecordedEvent,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  START,
  StreamNotFoundError,
  UnknownError,
  streamNameFilter,
} from '@eventstore/db-client';
import { status as grpcStatus } from '@grpc/grpc-js';
import {
  NHAGIAO_STREAM_PREFIXES,
  allPosition,
  isNhagiaoStream,
  toRecordedEvent,
} from './mapping.js';

type AllEvent = AllStreamRecordedEvent;

/** What `records` needs of a client read or subscription (a Node Readable in object mode). */
interface RecordSource {
  read(): unknown;
  on(
    event: 'error' | 'end' | 'readable' | 'close',
    listener: (...args: unknown[]) => void,
  ): unknown;
  off(
    event: 'error' | 'end' | 'readable' | 'close',
    listener: (...args: unknown[]) => void,
  ): unknown;
  destroy(): unknown;
  readonly destroyed: boolean;
}

/** Events per read call: bounds what one call buffers, and lets a reader stop between pages. */
export const PAGE_SIZE = 512;

/**
 * The records of a read or subscription, one by one, taken without the
 * stream's own async iterator: that iterator, left before the stream ends
 * (a subscription never does) or on an error, has Node build an AbortError
 * with its stack trace each time. Here the stream is closed without one:
 * `stop` first (a subscription's unsubscribe), then `destroy()`. A late error
 * of a closing stream is kept, not thrown at nobody.
 */
export async function* records<T>(
  stream: RecordSource,
  stop?: () => Promise<unknown>,
): AsyncGenerator<T, void, undefined> {
  let failure: { readonly error: unknown } | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const onError = (error: unknown): void => {
    failure ??= { error };
    wake?.();
  };
  const onEnd = (): void => {
    ended = true;
    wake?.();
  };
  const onReadable = (): void => wake?.();
  // Closed with neither its end nor an error (destroyed by someone else): not a whole read.
  const onClose = (): void => {
    if (!ended)
      onError(new Error('the EventStoreDB read was closed before its end, without an error'));
  };
  stream.on('error', onError);
  stream.on('end', onEnd);
  stream.on('readable', onReadable);
  stream.on('close', onClose);
  try {
    for (;;) {
      if (failure !== undefined) throw failure.error;
      const item = stream.read() as T | null;
      if (item !== null) {
        yield item;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    stream.off('readable', onReadable);
    stream.off('end', onEnd);
    stream.off('close', onClose);
    await stop?.().catch(() => undefined);
    if (!stream.destroyed) stream.destroy();
  }
}

/** The events of a read that ends (a page), in order; links without their event are left out. */
export const collectPage = async <T>(read: RecordSource): Promise<T[]> => {
  const out: T[] = [];
  for await (const resolved of records<{ readonly event?: T | undefined }>(read))
    if (resolved.event) out.push(resolved.event);
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
    const page = await collectPage<JSONRecordedEvent>(
      client.readStream<never>(stream, {
        fromRevision: fromRevision === 0n ? START : fromRevision,
        direction: FORWARDS,
        maxCount,
        requiresLeader: true,
      }),
    );
    return page.map(toRecordedEvent);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
};

/** The server-side filter on nhagiao's stream prefixes: the server skips everyone else's events. */
export const nhagiaoFilter = () => streamNameFilter({ prefixes: [...NHAGIAO_STREAM_PREFIXES] });

/**
 * The nhagiao events of `$all` strictly after `after` and at or before `until`,
 * in pages of `pageSize`. The client's `readAll` takes no filter (v6), so this
 * is a catch-up subscription with the server-side stream-prefix filter: the
 * server skips system events and other applications' events, and sends the
 * rest as one stream, without a round trip per page. It ends once the event at
 * `until` (an event that exists: the head when the read began) has arrived.
 * `resumeAt` is told each page's last position before the page is yielded, so
 * a caller can resubscribe after a drop.
 */
export async function* filteredAllPages(
  client: EventStoreDBClient,
  after: bigint | undefined,
  until: bigint,
  pageSize: number,
  signal?: AbortSignal,
): AsyncGenerator<RecordedEvent[]> {
  if (after !== undefined && after >= until) return;
  const sub = client.subscribeToAll({
    fromPosition: after === undefined ? START : allPosition(after),
    requiresLeader: true,
    filter: nhagiaoFilter(),
  });
  let page: RecordedEvent[] = [];
  let reached = false;
  for await (const resolved of records<AllStreamResolvedEvent>(sub, () => sub.unsubscribe())) {
    if (signal?.aborted) return;
    const raw = resolved.event;
    const position = raw?.position?.commit;
    if (!raw || position === undefined) continue;
    if (after !== undefined && position <= after) continue;
    reached = position >= until;
    if (position > until) break;
    // The filter is the server's; a server that ignored it would still not leak others' events.
    if (isNhagiaoStream(raw.streamId)) page.push(toRecordedEvent(raw as JSONRecordedEvent));
    if (reached) break;
    if (page.length >= pageSize) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
  // A catch-up subscription does not end by itself: one that did, short of `until`, was cut.
  if (!reached && !signal?.aborted) throw new ReadEndedEarlyError(until);
}

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
    const [first] = await collectPage<AllEvent>(
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

/**
 * Position of the last nhagiao event in `$all`. The client's `readAll` takes no
 * filter (v6), so this reads backwards from the end over the records written
 * after it (a server's system events, other applications'), in pages that start
 * at one record and double up to PAGE_SIZE: where the last record is ours, one
 * record crosses the wire.
 */
export const lastNhagiaoPosition = async (client: EventStoreDBClient): Promise<bigint | null> => {
  let from: 'end' | bigint = END;
  for (let size = 1; ; size = Math.min(PAGE_SIZE, size * 2)) {
    const raw: AllEvent[] = await collectPage(
      client.readAll({
        fromPosition: from === END ? END : allPosition(from),
        direction: BACKWARDS,
        maxCount: size,
        requiresLeader: true,
      }),
    );
    for (const e of raw) {
      const position = e.position?.commit;
      if (position !== undefined && isNhagiaoStream(e.streamId)) return position;
    }
    const oldest: bigint | undefined = raw.at(-1)?.position?.commit;
    if (raw.length < size || oldest === undefined || oldest === from) return null;
    from = oldest;
  }
};
