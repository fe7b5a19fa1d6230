import { Readable } from 'node:stream';
import { ndjsonItems } from './lines.js';
import type { InputItem } from './types.js';

const read = async (chunks: readonly Buffer[]): Promise<InputItem[]> => {
  const items: InputItem[] = [];
  for await (const item of ndjsonItems(Readable.from(chunks))) items.push(item);
  return items;
};

/** The bytes cut into pieces of `size`, so that cuts fall inside characters and line breaks. */
const pieces = (bytes: Buffer, size: number): Buffer[] => {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
};

describe('ndjsonItems', () => {
  const text =
    '\ufeff{"name":"Nông Thị Xuân"}\r\n' +
    '\n' +
    '{"name":"Lục Văn Đức 🎓"}\r' +
    '{"id": oops}\n' +
    '   \n' +
    '{"name":"Hoàng"}';
  const expected = [
    { line: 1, value: { name: 'Nông Thị Xuân' } },
    { line: 3, value: { name: 'Lục Văn Đức 🎓' } },
    { line: 4, value: '{"id": oops}' },
    { line: 6, value: { name: 'Hoàng' } },
  ];

  it('numbers lines as an editor does (CRLF, LF, lone CR), skips blank ones and keeps bad JSON as text', async () => {
    const items = await read([Buffer.from(text)]);
    expect(items.map(({ line, value }) => ({ line, value }))).toEqual(expected);
    expect(items[2]?.parseError).toMatch(/^not valid JSON/);
    expect(items.filter((i) => i.parseError !== undefined)).toHaveLength(1);
  });

  it('reads the same items however the bytes are cut (inside a character, between CR and LF)', async () => {
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 5, 7, 13, 31]) {
      const items = await read(pieces(bytes, size));
      expect(items.map(({ line, value }) => ({ line, value }))).toEqual(expected);
    }
  });

  it('hands the items over in chunks, in order, the same as one by one', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ n: i + 1 }));
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const chunks: (readonly InputItem[])[] = [];
    for await (const chunk of ndjsonItems(Readable.from(pieces(bytes, 4096))).chunks())
      chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat().map((i) => [i.line, (i.value as { n: number }).n])).toEqual(
      lines.map((_, i) => [i + 1, i + 1]),
    );
  });
});
