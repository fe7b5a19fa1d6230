import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Envelope } from '@nhagiao/domain';
import { type DecidedWindow, DecidedWrites } from './decided-writes.js';

const event = (i: number, note = ''): Envelope =>
  ({
    id: `50000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    type: 'CourseCompleted',
    data: { teacherId: `gv-${i % 7}`, programmeId: 'p-1', completedOn: '2025-05-12' },
    ...(note === '' ? {} : { metadata: { note } }),
  }) as Envelope;

const read = async (file: string): Promise<DecidedWindow[]> => {
  const out: DecidedWindow[] = [];
  for await (const w of DecidedWrites.windows(file)) out.push(w);
  return out;
};

describe('DecidedWrites', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-decided-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back every window as written, in order, with revisions as bigints', async () => {
    const file = path.join(dir, 'a.ndjson');
    const decided = new DecidedWrites(file);
    // Windows of ~1.5 MB each, in Vietnamese (multi-byte) text: lines longer than a read chunk.
    const windows: DecidedWindow[] = Array.from({ length: 3 }, (_, w) => ({
      lastLine: (w + 1) * 100,
      writes: Array.from({ length: 5 }, (_, k) => ({
        stream: `teacher-gv-${w}-${k}`,
        events: Array.from({ length: 20 }, (_, i) =>
          event(w * 1000 + k * 100 + i, 'Đỗ Thị Hằng '.repeat(800)),
        ),
        expected: k === 0 ? ('no-stream' as const) : BigInt(k * 3),
        idsChecked: true,
      })),
    }));
    for (const w of windows) decided.add(w);
    decided.close();
    expect(statSync(file).size).toBeGreaterThan(4 * 1024 * 1024);

    const back = await read(file);
    expect(back.map((w) => ({ lastLine: w.lastLine, writes: w.writes }))).toEqual(windows);
    // Each write's bound covers the bytes of its events' data and metadata.
    for (const [i, w] of back.entries())
      for (const [k, write] of w.writes.entries()) {
        const bytes = write.events.reduce(
          (n, e) =>
            n +
            Buffer.byteLength(JSON.stringify(e.data)) +
            Buffer.byteLength(JSON.stringify(e.metadata ?? {})),
          0,
        );
        expect(w.bytes?.[k]).toBeGreaterThanOrEqual(bytes);
        expect(windows[i]?.writes[k]?.stream).toBe(write.stream);
      }
  });

  it('writes events from the JSON the caller made of their data and metadata', async () => {
    const file = path.join(dir, 'b.ndjson');
    const decided = new DecidedWrites(file);
    const events = [event(1, 'một'), event(2)];
    decided.add(
      {
        lastLine: 2,
        writes: [{ stream: 'teacher-gv-1', events, expected: 'no-stream', idsChecked: true }],
      },
      events.map((e) => ({
        data: JSON.stringify(e.data),
        metadata: e.metadata === undefined ? '' : JSON.stringify(e.metadata),
      })),
    );
    decided.close();
    const [window] = await read(file);
    expect(window?.writes[0]?.events).toEqual(events);
  });

  it('refuses a write without a concrete expected revision', () => {
    const decided = new DecidedWrites(path.join(dir, 'c.ndjson'));
    expect(() =>
      decided.add({
        lastLine: 1,
        writes: [{ stream: 'teacher-x', events: [event(3)], expected: 'any' }],
      }),
    ).toThrow(/concrete expected revision/);
    decided.remove();
  });
});
