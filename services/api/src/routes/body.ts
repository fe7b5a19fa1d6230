import type { InputItem } from '@nhagiao/ingest';
import type { FastifyInstance } from 'fastify';
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

/** Reads JSON and NDJSON bodies as text, keeping the text for the idempotency hash. */
export const registerBodyParsers = (app: FastifyInstance): void => {
  // Only JSON and NDJSON are events; anything else is 415, not a string to guess at.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const raw = body as string;
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
  app.addContentTypeParser(
    'application/x-ndjson',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, { kind: 'ndjson', raw: body as string } satisfies ParsedBody);
    },
  );
};
