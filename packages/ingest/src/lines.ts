import { StringDecoder } from 'node:string_decoder';
import type { ChunkedItems, InputItem } from './types.js';

/** Line breaks as an editor (and node:readline) counts them: CRLF, LF or a lone CR. */
const LINE_BREAK = /\r\n|\n|\r/;

/**
 * Reads NDJSON as items, one per non-blank line, numbered from 1 as an editor
 * numbers them. A line that is not JSON becomes an item with `parseError`, so
 * the ingest reports it with the rest instead of stopping at it. Streams: a
 * file of any size is read a chunk at a time, and its items are handed over a
 * chunk at a time too (`chunks()`), which spares a wait per line.
 */
export const ndjsonItems = (input: NodeJS.ReadableStream): ChunkedItems => {
  async function* chunks(): AsyncGenerator<InputItem[]> {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    let line = 0;
    const itemsOf = (lines: readonly string[]): InputItem[] => {
      const items: InputItem[] = [];
      for (const raw of lines) {
        line += 1;
        const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
        if (text.trim() === '') continue;
        try {
          items.push({ line, value: JSON.parse(text) as unknown });
        } catch (e) {
          items.push({ line, value: text, parseError: `not valid JSON: ${(e as Error).message}` });
        }
      }
      return items;
    };
    for await (const chunk of input) {
      const text = pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
      // A CR at the very end may be the first half of a CRLF: it waits for the next chunk.
      const end = text.charCodeAt(text.length - 1) === 0x0d ? text.length - 1 : text.length;
      const cut =
        end === 0 ? -1 : Math.max(text.lastIndexOf('\n', end - 1), text.lastIndexOf('\r', end - 1));
      if (cut < 0) {
        pending = text;
        continue;
      }
      pending = text.slice(cut + 1);
      // Up to and with the last break: the piece after it is always empty, not a line.
      const lines = text.slice(0, cut + 1).split(LINE_BREAK);
      lines.pop();
      const items = itemsOf(lines);
      if (items.length > 0) yield items;
    }
    const rest = pending + decoder.end();
    if (rest !== '') {
      const lines = rest.split(LINE_BREAK);
      // A break at the very end ends the last line; it does not start another.
      if (lines[lines.length - 1] === '') lines.pop();
      const items = itemsOf(lines);
      if (items.length > 0) yield items;
    }
  }
  return {
    chunks,
    async *[Symbol.asyncIterator]() {
      for await (const items of chunks()) yield* items;
    },
  };
};

/** Items of a JSON array or single value (HTTP bodies), numbered from 1. */
export function* arrayItems(values: readonly unknown[]): Generator<InputItem> {
  let line = 0;
  for (const value of values) yield { line: ++line, value };
}
