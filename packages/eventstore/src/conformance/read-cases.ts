import { randomUUID } from 'node:crypto';
import type { Envelope } from '@nhagiao/domain';
import type { EventStore } from '../port.js';
import {
  collect,
  completions,
  isStrictlyIncreasing,
  readOurs,
  registered,
  sent,
  uniqueTeacherId,
} from './fixtures.js';

const streamFor = (teacherId: string): string => `teacher-${teacherId}`;
const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const readCases = (store: () => EventStore): void => {
  describe('reading', () => {
    it('gives an empty stream for a stream that was never written', async () => {
      expect(await collect(store().readStream(streamFor(uniqueTeacherId())))).toEqual([]);
    });

    it('orders the global log by strictly increasing positions across streams', async () => {
      const ts = [uniqueTeacherId(), uniqueTeacherId(), uniqueTeacherId()];
      const order: string[] = [];
      for (let round = 0; round < 4; round++) {
        for (const t of ts) {
          const e = round === 0 ? registered(t) : completions(t, 1)[0];
          if (e === undefined) throw new Error('fixture gave no event');
          await store().append(streamFor(t), [e], 'any');
          order.push(e.id);
        }
      }
      const read = await readOurs(store(), ts.map(streamFor));
      expect(read.map((e) => e.id)).toEqual(order);
      expect(isStrictlyIncreasing(read.map((e) => e.position))).toBe(true);
      for (const t of ts) {
        const own = read.filter((e) => e.stream === streamFor(t));
        expect(own.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
        expect((await collect(store().readStream(streamFor(t)))).map((e) => e.id)).toEqual(
          own.map((e) => e.id),
        );
      }
    });

    it('reads the global log strictly after a given position', async () => {
      const t = uniqueTeacherId();
      const events = [registered(t), ...completions(t, 3)];
      const r = await store().append(streamFor(t), events, 'no-stream');
      const from = r.outcomes[1]?.position;
      if (from === undefined) throw new Error('no outcome');
      const read = await readOurs(store(), [streamFor(t)], from);
      expect(read.map((e) => e.id)).toEqual(events.slice(2).map((e) => e.id));
      expect(read.every((e) => e.position > from)).toBe(true);
    });

    it('finds a stored event by its id, and nothing for an unknown id or stream', async () => {
      const t = uniqueTeacherId();
      const events = [registered(t, 'Triệu Thị Mai'), ...completions(t, 1)];
      const r = await store().append(streamFor(t), events, 'no-stream');
      const found = await store().findEvent(streamFor(t), events[1]?.id as string);
      expect(found === undefined ? undefined : sent(found)).toEqual(sent(events[1] as Envelope));
      expect(found?.position).toBe(r.outcomes[1]?.position);
      expect(found?.revision).toBe(1n);
      expect(await store().findEvent(streamFor(t), randomUUID())).toBeUndefined();
      const other = streamFor(uniqueTeacherId());
      expect(await store().findEvent(other, randomUUID())).toBeUndefined();
    });

    it('reports a head at or beyond the last appended position', async () => {
      const t = uniqueTeacherId();
      const r = await store().append(streamFor(t), [registered(t)], 'no-stream');
      const head = await store().head();
      expect(head).not.toBeNull();
      expect(head as bigint).toBeGreaterThanOrEqual(r.outcomes[0]?.position as bigint);
    });
  });

  describe('content', () => {
    it('gives back Vietnamese names in NFC and NFD and emoji exactly as sent', async () => {
      const t = uniqueTeacherId();
      const nfc = 'Nguyễn Thị Hằng – Trường CĐ Bắc Kạn 🎓👩‍🏫';
      const nfd = nfc.normalize('NFD');
      expect(nfd).not.toBe(nfc);
      const events = [registered(t, nfc), registered(t, nfd, { ghiChú: 'Đã nhập ✅' })];
      await store().append(streamFor(t), events, 'no-stream');
      const read = await collect(store().readStream(streamFor(t)));
      const names = read.map((e) => (e.type === 'TeacherRegistered' ? e.data.fullName : ''));
      expect(names.map((n) => Buffer.from(n, 'utf8'))).toEqual([
        Buffer.from(nfc, 'utf8'),
        Buffer.from(nfd, 'utf8'),
      ]);
      expect(read[1]?.metadata).toEqual({ ghiChú: 'Đã nhập ✅' });
    });

    it('keeps sender metadata and gives {} when none was sent', async () => {
      const t = uniqueTeacherId();
      const meta = { source: 'moodle.cdbk', correlationId: 'c-42', 'x-note': '' };
      const events = [registered(t, 'Bế Văn Đàn', meta), ...completions(t, 1)];
      await store().append(streamFor(t), events, 'no-stream');
      const read = await collect(store().readStream(streamFor(t)));
      expect(read.map(sent)).toEqual(events.map(sent));
      expect(read[0]?.metadata).toEqual(meta);
      expect(read[1]?.metadata).toEqual({});
    });

    it('sets recordedAt itself: ISO UTC with milliseconds, near now, never decreasing', async () => {
      const t = uniqueTeacherId();
      const started = Date.now();
      for (let i = 0; i < 5; i++) await store().append(streamFor(t), completions(t, 2), 'any');
      const read = await readOurs(store(), [streamFor(t)]);
      expect(read).toHaveLength(10);
      for (const e of read) {
        expect(e.recordedAt).toMatch(ISO_UTC_MS);
        // A server's clock may differ a little from ours.
        expect(Math.abs(Date.parse(e.recordedAt) - started)).toBeLessThan(5 * 60_000);
      }
      const times = read.map((e) => Date.parse(e.recordedAt));
      expect(times.every((x, i) => i === 0 || (times[i - 1] as number) <= x)).toBe(true);
    });

    it('finds an event by its exact position (readAt, where the store has it), and nothing inside a record', async () => {
      const s = store();
      if (!s.readAt) return; // stores with dense positions read after position - 1 instead
      const t = uniqueTeacherId();
      const r = await s.append(streamFor(t), [registered(t), ...completions(t, 1)], 'no-stream');
      const [a, b] = r.outcomes.map((o) => o.position);
      if (a === undefined || b === undefined) throw new Error('append gave no positions');
      expect((await s.readAt(a))?.id).toBe(r.outcomes[0]?.id);
      expect((await s.readAt(b))?.id).toBe(r.outcomes[1]?.id);
      expect(await s.readAt(b - 1n)).toBeUndefined();
    });
  });
};
