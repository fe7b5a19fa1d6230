import type { RecordedEvent } from '@nhagiao/domain';
import {
  BACKWARDS,
  type EventStoreDBClient,
  type AllStreamRecordedEvent,
} from '@eventstore/db-client';
import { allPosition, isNhagiaoStream } from './mapping.js';
import { collectPage } from './read.js';

/**
 * `recordedAt` made monotone along `$all`. The server stamps each record with
 * its own clock, which can step back (a leader change to a node whose clock is
 * behind); "known at TIME" takes the highest position stamped at or before
 * TIME, which is only right when stamps never go backwards. So an event's
 * `recordedAt` is the latest server time of the nhagiao events up to it; where
 * that is not its own, the server's own time is kept beside it, in its
 * metadata as `serverRecordedAt`.
 */
export class RecordedAtClamp {
  #floorMs: number;

  constructor(floorMs = Number.NEGATIVE_INFINITY) {
    this.#floorMs = floorMs;
  }

  /** The latest time so far: where a read that goes on from here starts its clamp. */
  get floorMs(): number {
    return this.#floorMs;
  }

  /** The event as the port gives it: clamped to the latest time before it, which it then becomes. */
  apply(event: RecordedEvent): RecordedEvent {
    const ms = Date.parse(event.recordedAt);
    if (ms >= this.#floorMs) {
      this.#floorMs = ms;
      return event;
    }
    return {
      ...event,
      recordedAt: new Date(this.#floorMs).toISOString(),
      metadata: { ...event.metadata, serverRecordedAt: event.recordedAt },
    } as RecordedEvent;
  }
}

const PAGE = 512;

/**
 * The latest server time of the nhagiao records before `position` (exclusive),
 * for a read that starts in the middle of `$all`: read backwards until a record
 * stamped `maxStepBackMs` or more before the latest nhagiao time seen. Exact
 * while the server's clock never runs more than `maxStepBackMs` behind the
 * latest stamp before it (a step back larger than that may leave one read's
 * `recordedAt` differing from another's over the step).
 */
export const latestTimeBefore = async (
  client: EventStoreDBClient,
  position: bigint,
  maxStepBackMs: number,
): Promise<number> => {
  let latest = Number.NEGATIVE_INFINITY;
  let from = position;
  for (let size = 32; ; size = Math.min(PAGE, size * 2)) {
    const page = await collectPage<AllStreamRecordedEvent>(
      client.readAll({
        fromPosition: allPosition(from),
        direction: BACKWARDS,
        maxCount: size,
        requiresLeader: true,
      }),
    );
    for (const e of page) {
      const ms = e.created.getTime();
      if (ms + maxStepBackMs <= latest) return latest;
      if (isNhagiaoStream(e.streamId) && ms > latest) latest = ms;
    }
    const oldest = page.at(-1)?.position?.commit;
    if (page.length < size || oldest === undefined || oldest >= from) return latest;
    from = oldest;
  }
};
