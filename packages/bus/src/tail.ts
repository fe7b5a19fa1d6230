import type { JetStreamManager } from 'nats';
import { BusError } from './errors.js';
import { EventHeaders, positionOf } from './message.js';
import { EVENTS_STREAM } from './subjects.js';

/** The last message of the events stream: its JetStream sequence and the store position it carries. */
export interface StreamTail {
  /** JetStream sequence of the last message, 0 when the stream is empty. */
  readonly lastSequence: number;
  /** Store position of that message, null when the stream is empty. */
  readonly position: bigint | null;
}

/**
 * Reads the tail of the events stream. The relay resumes after it: whatever is in
 * JetStream is, by construction, a gap-free prefix of the store's log.
 */
export const readStreamTail = async (
  jsm: JetStreamManager,
  stream: string = EVENTS_STREAM,
): Promise<StreamTail> => {
  const info = await jsm.streams.info(stream);
  const last = info.state.last_seq;
  if (info.state.messages === 0 || last === 0) return { lastSequence: last, position: null };
  const stored = await jsm.streams.getMessage(stream, { seq: last });
  try {
    return {
      lastSequence: last,
      position: positionOf({ data: stored.data, headers: stored.header }),
    };
  } catch (cause) {
    throw new BusError(
      'foreign-message',
      `the last message of ${stream} (sequence ${last}) was not published by a relay`,
      { cause },
    );
  }
};

/**
 * When the event in message `sequence` of the stream was recorded in the store
 * (its `Nhagiao-Recorded-At` header, ISO-8601); null when there is no such
 * message or it carries none.
 */
export const recordedAtOf = async (
  jsm: JetStreamManager,
  stream: string,
  sequence: number,
): Promise<string | null> => {
  try {
    const stored = await jsm.streams.getMessage(stream, { seq: sequence });
    return stored.header?.get(EventHeaders.recordedAt) || null;
  } catch {
    return null;
  }
};
