import { EVENT_TYPES, type Envelope, type RecordedEvent, parseEnvelope } from '@nhagiao/domain';
import { type JetStreamClient, type MsgHdrs, type PubAck, headers as natsHeaders } from 'nats';
import { BusError } from './errors.js';
import { subjectFor } from './subjects.js';

/** Headers the relay sets on every event message, so consumers can route without parsing. */
export const EventHeaders = {
  position: 'Nhagiao-Position',
  stream: 'Nhagiao-Stream',
  revision: 'Nhagiao-Revision',
  recordedAt: 'Nhagiao-Recorded-At',
  msgId: 'Nats-Msg-Id',
} as const;

/** A message ready for `js.publish`: subject, JSON body (the envelope) and headers (what the store added). */
export interface EncodedEvent {
  readonly subject: string;
  readonly payload: Uint8Array;
  readonly headers: MsgHdrs;
  readonly msgID: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The body is exactly the envelope the sender sent (`id`, `type`, `data`,
 * `metadata`); position, stream, revision and recordedAt travel as headers.
 */
export const encodeEvent = (event: RecordedEvent): EncodedEvent => {
  const h = natsHeaders();
  h.set(EventHeaders.position, event.position.toString());
  h.set(EventHeaders.stream, event.stream);
  h.set(EventHeaders.revision, event.revision.toString());
  h.set(EventHeaders.recordedAt, event.recordedAt);
  const body = { id: event.id, type: event.type, data: event.data, metadata: event.metadata };
  return {
    subject: subjectFor(event),
    payload: encoder.encode(JSON.stringify(body)),
    headers: h,
    msgID: event.id,
  };
};

export interface PublishOptions {
  /** Server-side guard: the stream's last sequence must be this, or the publish is rejected. */
  readonly expectLastSequence?: number;
  readonly timeoutMs?: number;
}

/** Publishes one event with msgID = event id, so a re-publish inside the duplicate window is dropped. */
export const publishEvent = (
  js: JetStreamClient,
  event: RecordedEvent,
  options: PublishOptions = {},
): Promise<PubAck> => {
  const m = encodeEvent(event);
  return js.publish(m.subject, m.payload, {
    msgID: m.msgID,
    headers: m.headers,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    ...(options.expectLastSequence === undefined
      ? {}
      : { expect: { lastSequence: options.expectLastSequence } }),
  });
};

const BIGINT = /^(0|[1-9][0-9]*)$/;

const header = (h: MsgHdrs | undefined, name: string): string => {
  const v = h?.get(name) ?? '';
  if (v === '') throw new BusError('undecodable-message', `event message lacks header ${name}`);
  return v;
};

const bigintHeader = (h: MsgHdrs | undefined, name: string): bigint => {
  const v = header(h, name);
  if (!BIGINT.test(v))
    throw new BusError('undecodable-message', `header ${name} is not a position: ${v}`);
  return BigInt(v);
};

/** What `decodeEventMessage` reads: a `JsMsg`, or a `StoredMsg` given as `{ data, headers: sm.header }`. */
export interface EventMessageLike {
  readonly data: Uint8Array;
  readonly headers?: MsgHdrs | undefined;
}

/** The position an event message carries, without parsing its body. */
export const positionOf = (msg: EventMessageLike): bigint =>
  bigintHeader(msg.headers, EventHeaders.position);

export interface DecodeOptions {
  /**
   * Check the body against contract v1 with its zod schemas (about 70 µs an
   * event). Off by default: the relay publishes only events the store accepted,
   * and the shape checks below still refuse anything that is not an event.
   */
  readonly validate?: boolean;
}

const KNOWN_TYPES = new Set<string>(EVENT_TYPES);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const shapeOf = (body: unknown): Envelope => {
  if (
    !isRecord(body) ||
    typeof body.id !== 'string' ||
    typeof body.type !== 'string' ||
    !KNOWN_TYPES.has(body.type) ||
    !isRecord(body.data) ||
    (body.metadata !== undefined && !isRecord(body.metadata))
  )
    throw new BusError(
      'undecodable-message',
      'event message body is not an envelope {id, type, data, metadata} of a known type',
    );
  return body as unknown as Envelope;
};

/**
 * The recorded event a message carries, positions as bigint. Throws
 * `undecodable-message` for anything that is not an event message.
 */
export const decodeEventMessage = (
  msg: EventMessageLike,
  options: DecodeOptions = {},
): RecordedEvent => {
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(msg.data));
  } catch (cause) {
    throw new BusError('undecodable-message', 'event message body is not JSON text', { cause });
  }
  let envelope: Envelope;
  if (options.validate === true) {
    const parsed = parseEnvelope(body);
    if (!parsed.ok)
      throw new BusError(
        'undecodable-message',
        `event message is not a v1 envelope: ${parsed.error.message}`,
        { cause: parsed.error },
      );
    envelope = parsed.value;
  } else envelope = shapeOf(body);
  const msgId = msg.headers?.get(EventHeaders.msgId);
  if (msgId !== undefined && msgId !== '' && msgId !== envelope.id)
    throw new BusError(
      'undecodable-message',
      `event message id ${envelope.id} differs from its ${EventHeaders.msgId} ${msgId}`,
    );
  return {
    id: envelope.id,
    type: envelope.type,
    data: envelope.data,
    metadata: envelope.metadata ?? {},
    stream: header(msg.headers, EventHeaders.stream),
    revision: bigintHeader(msg.headers, EventHeaders.revision),
    position: bigintHeader(msg.headers, EventHeaders.position),
    recordedAt: header(msg.headers, EventHeaders.recordedAt),
  } as RecordedEvent;
};
