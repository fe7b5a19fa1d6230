import type { InputItem } from '@nhagiao/ingest';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

/**
 * A request body as the events route reads it: JSON parsed (a top-level array
 * element by element), or NDJSON parsed line by line into ingest items; the
 * text is kept for the idempotency hash.
 */
export type ParsedBody =
  | { readonly kind: 'json'; readonly raw: string; readonly value: unknown }
  | { readonly kind: 'ndjson'; readonly raw: string; readonly items: readonly InputItem[] };

/** Parsing gives the event loop back to other requests after this long. */
const SLICE_MS = 5;
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Deeper than any envelope (AnnualReportSubmitted's values are 4 levels); more is an attack, not data. */
export const MAX_DEPTH = 16;

/** Whether the quote at `at` is escaped: preceded by an odd number of backslashes. */
const escaped = (text: string, at: number): boolean => {
  let backslashes = 0;
  for (let k = at - 1; k >= 0 && text.charCodeAt(k) === 0x5c; k--) backslashes++;
  return backslashes % 2 === 1;
};

/**
 * The deepest nesting of arrays and objects in JSON text, counted without parsing
 * it. Strings, most of an envelope's text, are skipped by searching for their
 * closing quote rather than read a character at a time.
 */
export const jsonDepth = (text: string): number => {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let close = text.indexOf('"', i + 1);
      while (close !== -1 && escaped(text, close)) close = text.indexOf('"', close + 1);
      // An unterminated string: nothing after it nests, and JSON.parse reports it.
      if (close === -1) return max;
      i = close;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
};

const parseJson = (text: string): unknown => {
  if (jsonDepth(text) > MAX_DEPTH) {
    throw new ApiError(400, 'invalid-json', `JSON nested deeper than ${MAX_DEPTH} levels`, [
      { path: '', message: `must not nest deeper than ${MAX_DEPTH} levels` },
    ]);
  }
  return JSON.parse(text) as unknown;
};

/**
 * NDJSON lines as ingest items, numbered as an editor numbers them; a bad line
 * is reported, not fatal. Gives the event loop back every few milliseconds.
 */
export const parseNdjson = async (raw: string): Promise<InputItem[]> => {
  const items: InputItem[] = [];
  const lines = raw.split(/\r?\n/);
  let since = performance.now();
  for (let i = 0; i < lines.length; i++) {
    const text =
      i === 0 && lines[0]?.charCodeAt(0) === 0xfeff ? lines[0].slice(1) : (lines[i] ?? '');
    if (text.trim() === '') continue;
    try {
      items.push({ line: i + 1, value: parseJson(text) });
    } catch (e) {
      items.push({
        line: i + 1,
        value: text.slice(0, 1000),
        parseError: e instanceof ApiError ? e.message : `not valid JSON: ${(e as Error).message}`,
      });
    }
    if (performance.now() - since > SLICE_MS) {
      await yieldToLoop();
      since = performance.now();
    }
  }
  return items;
};

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * What makes a body too big to take, counted as its bytes arrive and before any
 * of it is parsed: its items (the elements of a top-level JSON array, 1 for any
 * other JSON value; the non-blank lines of NDJSON), the bytes of its largest
 * item and, for JSON, its nesting. For a top-level JSON array it also notes
 * where each element lies, so that the elements can be parsed one by one, and
 * whether the commas and brackets between them are right. It looks only at
 * ASCII bytes, which never occur inside a multi-byte UTF-8 sequence, so it
 * reads the raw bytes without decoding them.
 */
export class BodyMeter {
  /** Items seen so far (a top-level JSON value that is not an array counts once it starts). */
  items = 0;
  /** Deepest nesting of arrays and objects seen so far (JSON; per line for NDJSON). */
  maxDepth = 0;
  /** The number (from 1) of the first item longer than `maxItemBytes`, if any. */
  oversized: number | undefined;
  /** A top-level JSON array: its elements' [start, end) byte offsets, one pair after another. */
  readonly spans: number[] = [];
  /** A top-level JSON array whose commas or brackets are wrong: what is wrong. */
  malformed: string | undefined;
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** JSON: whether the top-level value has started, whether it is an array, whether that is closed. */
  #started = false;
  #array = false;
  #closed = false;
  /** JSON: in the top-level array, whether the next non-blank byte starts an element; the open one. */
  #expectElement = false;
  #open = false;
  #elementStart = 0;
  /** NDJSON: whether the current line holds anything but blanks. */
  #lineHasContent = false;
  #itemBytes = 0;
  #offset = 0;

  constructor(
    readonly kind: 'json' | 'ndjson',
    readonly maxItemBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** Whether the body is a top-level JSON array, closed, with commas and brackets right. */
  get wellFormedArray(): boolean {
    return this.#array && this.#closed && this.malformed === undefined;
  }

  /** Whether the body is a top-level JSON array (closed or not). */
  get isArray(): boolean {
    return this.#array;
  }

  #closeElement(at: number): void {
    this.spans.push(this.#elementStart, at);
    this.#open = false;
  }

  feed(chunk: Uint8Array): void {
    let i = 0;
    // A byte-order mark opens no line and no value.
    if (this.#offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    const ndjson = this.kind === 'ndjson';
    for (; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (ndjson) {
        if (c === LF) {
          // A line ends here whatever its state: JSON text holds no raw line feed.
          this.#lineHasContent = false;
          this.#inString = false;
          this.#escaped = false;
          this.#depth = 0;
          continue;
        }
        if (!this.#lineHasContent && c !== SPACE && c !== TAB && c !== CR) {
          this.#lineHasContent = true;
          this.items++;
          this.#itemBytes = 0;
        }
      }
      if (ndjson ? this.#lineHasContent : this.#array ? this.#open : this.#started) {
        if (++this.#itemBytes > this.maxItemBytes) this.oversized ??= this.items;
      }
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === BACKSLASH) this.#escaped = true;
        else if (c === QUOTE) this.#inString = false;
        continue;
      }
      if (c === SPACE || c === TAB || c === LF || c === CR) continue;
      if (!ndjson) {
        if (!this.#started) {
          this.#started = true;
          this.#array = c === OPEN_BRACKET;
          this.items = this.#array ? 0 : 1;
          this.#expectElement = this.#array;
        } else if (this.#array && this.#depth === 1) {
          if (c === COMMA) {
            if (this.#expectElement) this.malformed ??= `a comma without an element before it`;
            else this.#closeElement(this.#offset + i);
            this.#expectElement = true;
          } else if (c === CLOSE_BRACKET) {
            if (this.#open) this.#closeElement(this.#offset + i);
            else if (this.items > 0) this.malformed ??= 'a comma before the closing bracket';
            this.#expectElement = false;
            this.#closed = true;
          } else if (this.#expectElement) {
            this.#expectElement = false;
            this.#open = true;
            this.#elementStart = this.#offset + i;
            this.#itemBytes = 1;
            this.items++;
          }
        } else if (this.#array && this.#depth === 0) {
          this.malformed ??= 'text after the closing bracket';
        }
      }
      if (c === QUOTE) this.#inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.#depth++;
        if (this.#depth > this.maxDepth) this.maxDepth = this.#depth;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) this.#depth--;
    }
    this.#offset += chunk.length;
  }
}

export interface BodyLimits {
  /** Largest body in bytes. */
  readonly bodyBytes: number;
  /** Most items (events) in one body. */
  readonly items: number;
  /** Largest item (event) in bytes. */
  readonly itemBytes: number;
}

const bodyTooLarge = (limit: number): ApiError =>
  new ApiError(413, 'body-too-large', `the body is larger than ${limit} bytes; split it`, [
    { path: 'body', message: `must be at most ${limit} bytes` },
  ]);

const batchTooLarge = (limit: number): ApiError =>
  new ApiError(
    413,
    'batch-too-large',
    `a request may hold at most ${limit} events; this one holds more: split it`,
    [{ path: 'body', message: `must hold at most ${limit} events` }],
  );

const eventTooLarge = (limit: number, item: number): ApiError =>
  new ApiError(
    413,
    'event-too-large',
    `event ${item} is larger than ${limit} bytes; no event of the contract comes near it`,
    [{ path: `[${item}]`, message: `must be at most ${limit} bytes` }],
  );

const tooDeep = (): ApiError =>
  new ApiError(400, 'invalid-json', `JSON nested deeper than ${MAX_DEPTH} levels`, [
    { path: '', message: `must not nest deeper than ${MAX_DEPTH} levels` },
  ]);

const notJson = (path: string, message: string): ApiError =>
  new ApiError(400, 'invalid-json', 'the body is not valid JSON', [{ path, message }]);

/**
 * Reads a body as it arrives, counting it with a `BodyMeter`, and stops at the
 * first byte that makes it too large (bytes, events, an event's bytes, or JSON
 * nesting): the rest is never read, and nothing of it is parsed. Resolves with
 * the whole body and its meter.
 */
const readMetered = (
  kind: 'json' | 'ndjson',
  limits: BodyLimits,
  request: FastifyRequest,
  payload: NodeJS.ReadableStream,
  done: (error: Error | null, body?: { bytes: Buffer; meter: BodyMeter }) => void,
): void => {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.bodyBytes) {
    done(bodyTooLarge(limits.bodyBytes));
    return;
  }
  const meter = new BodyMeter(kind, limits.itemBytes);
  const chunks: Buffer[] = [];
  let bytes = 0;
  let settled = false;
  const settle = (error: Error | null, body?: { bytes: Buffer; meter: BodyMeter }): void => {
    if (settled) return;
    settled = true;
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    // Nothing more of a refused body is read: the answer closes the connection.
    if (error !== null) payload.pause();
    done(error, body);
  };
  const onData = (chunk: Buffer): void => {
    bytes += chunk.length;
    if (bytes > limits.bodyBytes) return settle(bodyTooLarge(limits.bodyBytes));
    meter.feed(chunk);
    if (meter.items > limits.items) return settle(batchTooLarge(limits.items));
    if (meter.oversized !== undefined)
      return settle(eventTooLarge(limits.itemBytes, meter.oversized));
    if (kind === 'json' && meter.maxDepth > MAX_DEPTH) return settle(tooDeep());
    chunks.push(chunk);
  };
  const onEnd = (): void => settle(null, { bytes: Buffer.concat(chunks, bytes), meter });
  const onError = (e: Error): void => settle(e);
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
};

/**
 * A JSON body's value. A top-level array is parsed element by element, from the
 * spans its meter noted, giving the event loop back every few milliseconds: a
 * body of thousands of events, however their keys are made to cost, never
 * holds the server for longer than one event. Any other value is one event,
 * at most `itemBytes` long, parsed at once.
 */
export const parseJsonBody = async (bytes: Buffer, meter: BodyMeter): Promise<unknown> => {
  if (!meter.isArray) {
    try {
      return parseJson(bytes.toString('utf8'));
    } catch (e) {
      throw e instanceof ApiError ? e : notJson('', (e as Error).message);
    }
  }
  if (meter.malformed !== undefined) throw notJson('', meter.malformed);
  if (!meter.wellFormedArray)
    throw notJson('', 'the body ends before its top-level array is closed');
  const values: unknown[] = [];
  let since = performance.now();
  for (let k = 0; k < meter.spans.length; k += 2) {
    try {
      values.push(JSON.parse(bytes.toString('utf8', meter.spans[k], meter.spans[k + 1])));
    } catch (e) {
      throw notJson(`[${k / 2 + 1}]`, (e as Error).message);
    }
    if (performance.now() - since > SLICE_MS) {
      await yieldToLoop();
      since = performance.now();
    }
  }
  return values;
};

/**
 * Reads JSON and NDJSON bodies, keeping the text for the idempotency hash. A
 * body is refused as soon as it is known to be too large — in bytes (413
 * body-too-large), in events (413 batch-too-large: counted before any line is
 * parsed), in one event's bytes (413 event-too-large) or in JSON nesting (400)
 * — without reading the rest. What is taken is parsed an event at a time,
 * giving the event loop back every few milliseconds.
 */
export const registerBodyParsers = (app: FastifyInstance, limits: BodyLimits): void => {
  // Only JSON and NDJSON are events; anything else is 415, not a string to guess at.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', (request, payload, done) => {
    readMetered('json', limits, request, payload, (error, body) => {
      if (error !== null || body === undefined) return done(error ?? new Error('no body'));
      parseJsonBody(body.bytes, body.meter).then(
        (value) =>
          done(null, {
            kind: 'json',
            raw: body.bytes.toString('utf8'),
            value,
          } satisfies ParsedBody),
        (e: unknown) => done(e as Error),
      );
    });
  });
  app.addContentTypeParser('application/x-ndjson', (request, payload, done) => {
    readMetered('ndjson', limits, request, payload, (error, body) => {
      if (error !== null || body === undefined) return done(error ?? new Error('no body'));
      const raw = body.bytes.toString('utf8');
      parseNdjson(raw).then(
        (items) => done(null, { kind: 'ndjson', raw, items } satisfies ParsedBody),
        (e: unknown) => done(e as Error),
      );
    });
  });
};
