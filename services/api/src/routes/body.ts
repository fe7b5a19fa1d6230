import type { InputItem } from '@nhagiao/ingest';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

/** A request body as the events route reads it: parsed JSON, or NDJSON text parsed line by line. */
export type ParsedBody =
  | { readonly kind: 'json'; readonly raw: string; readonly value: unknown }
  | { readonly kind: 'ndjson'; readonly raw: string };

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

/** NDJSON lines as ingest items, numbered as an editor numbers them; a bad line is reported, not fatal. */
export const parseNdjson = (raw: string): InputItem[] => {
  const items: InputItem[] = [];
  const lines = raw.split(/\r?\n/);
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
  }
  return items;
};

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * What makes a body too big to take, counted as its bytes arrive and before any
 * of it is parsed: its items (the elements of a top-level JSON array, 1 for any
 * other JSON value; the non-blank lines of NDJSON) and, for JSON, its nesting.
 * It looks only at ASCII bytes, which never occur inside a multi-byte UTF-8
 * sequence, so it reads the raw bytes without decoding them.
 */
export class BodyMeter {
  /** Items seen so far (a top-level JSON value that is not an array counts once it starts). */
  items = 0;
  /** Deepest nesting of arrays and objects seen so far (JSON; per line for NDJSON). */
  maxDepth = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** JSON: whether the top-level value has started, and whether it is an array. */
  #started = false;
  #array = false;
  /** JSON: in the top-level array, whether the next non-blank byte starts an element. */
  #expectElement = false;
  /** NDJSON: whether the current line holds anything but blanks. */
  #lineHasContent = false;
  #atStart = true;

  constructor(readonly kind: 'json' | 'ndjson') {}

  feed(chunk: Uint8Array): void {
    let i = 0;
    // A byte-order mark opens no line and no value.
    if (this.#atStart) {
      this.#atStart = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
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
        }
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
          this.#array = c === 0x5b;
          this.items = this.#array ? 0 : 1;
          this.#expectElement = this.#array;
        } else if (this.#array && this.#depth === 1) {
          if (c === 0x2c) this.#expectElement = true;
          else if (c !== 0x5d && this.#expectElement) {
            this.#expectElement = false;
            this.items++;
          }
        }
      }
      if (c === QUOTE) this.#inString = true;
      else if (c === 0x7b || c === 0x5b) {
        this.#depth++;
        if (this.#depth > this.maxDepth) this.maxDepth = this.#depth;
      } else if (c === 0x7d || c === 0x5d) this.#depth--;
    }
  }
}

export interface BodyLimits {
  /** Largest body in bytes. */
  readonly bodyBytes: number;
  /** Most items (events) in one body. */
  readonly items: number;
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

const tooDeep = (): ApiError =>
  new ApiError(400, 'invalid-json', `JSON nested deeper than ${MAX_DEPTH} levels`, [
    { path: '', message: `must not nest deeper than ${MAX_DEPTH} levels` },
  ]);

/**
 * Reads a body as it arrives, counting it with a `BodyMeter`, and stops at the
 * first byte that makes it too large (bytes, items, or JSON nesting): the rest
 * is never read, and nothing of it is parsed. Resolves with the whole text.
 */
const readMetered = (
  kind: 'json' | 'ndjson',
  limits: BodyLimits,
  request: FastifyRequest,
  payload: NodeJS.ReadableStream,
  done: (error: Error | null, text?: string) => void,
): void => {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.bodyBytes) {
    done(bodyTooLarge(limits.bodyBytes));
    return;
  }
  const meter = new BodyMeter(kind);
  const chunks: Buffer[] = [];
  let bytes = 0;
  let settled = false;
  const settle = (error: Error | null, text?: string): void => {
    if (settled) return;
    settled = true;
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    // Nothing more of a refused body is read: the answer closes the connection.
    if (error !== null) payload.pause();
    done(error, text);
  };
  const onData = (chunk: Buffer): void => {
    bytes += chunk.length;
    if (bytes > limits.bodyBytes) return settle(bodyTooLarge(limits.bodyBytes));
    meter.feed(chunk);
    if (meter.items > limits.items) return settle(batchTooLarge(limits.items));
    if (kind === 'json' && meter.maxDepth > MAX_DEPTH) return settle(tooDeep());
    chunks.push(chunk);
  };
  const onEnd = (): void => settle(null, Buffer.concat(chunks, bytes).toString('utf8'));
  const onError = (e: Error): void => settle(e);
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
};

/**
 * Reads JSON and NDJSON bodies as text, keeping the text for the idempotency
 * hash. A body is refused as soon as it is known to be too large — in bytes
 * (413 body-too-large), in events (413 batch-too-large: counted before any
 * line is parsed) or in JSON nesting (400) — without reading the rest.
 */
export const registerBodyParsers = (app: FastifyInstance, limits: BodyLimits): void => {
  // Only JSON and NDJSON are events; anything else is 415, not a string to guess at.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', (request, payload, done) => {
    readMetered('json', limits, request, payload, (error, raw) => {
      if (error !== null || raw === undefined) return done(error ?? new Error('no body'));
      try {
        done(null, { kind: 'json', raw, value: parseJson(raw) } satisfies ParsedBody);
      } catch (e) {
        done(
          e instanceof ApiError
            ? e
            : new ApiError(400, 'invalid-json', 'the body is not valid JSON', [
                { path: '', message: (e as Error).message },
              ]),
          undefined,
        );
      }
    });
  });
  app.addContentTypeParser('application/x-ndjson', (request, payload, done) => {
    readMetered('ndjson', limits, request, payload, (error, raw) => {
      if (error !== null || raw === undefined) return done(error ?? new Error('no body'));
      done(null, { kind: 'ndjson', raw } satisfies ParsedBody);
    });
  });
};
