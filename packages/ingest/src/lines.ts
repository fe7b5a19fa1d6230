import { createInterface } from 'node:readline';
import type { InputItem } from './types.js';

/**
 * Reads NDJSON as items, one per non-blank line, numbered from 1 as an editor
 * numbers them. A line that is not JSON becomes an item with `parseError`, so
 * the ingest reports it with the rest instead of stopping at it. Streams: a
 * file of any size is read a line at a time.
 */
export async function* ndjsonItems(input: NodeJS.ReadableStream): AsyncGenerator<InputItem> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const raw of lines) {
    line += 1;
    const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (text.trim() === '') continue;
    try {
      yield { line, value: JSON.parse(text) as unknown };
    } catch (e) {
      yield { line, value: text, parseError: `not valid JSON: ${(e as Error).message}` };
    }
  }
}

/** Items of a JSON array or single value (HTTP bodies), numbered from 1. */
export function* arrayItems(values: readonly unknown[]): Generator<InputItem> {
  let line = 0;
  for (const value of values) yield { line: ++line, value };
}
