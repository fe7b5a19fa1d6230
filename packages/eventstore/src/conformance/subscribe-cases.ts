import type { RecordedEvent } from '@nhagiao/domain';
import type { EventStore, SubscriptionMessage } from '../port.js';
import {
  completions,
  isStrictlyIncreasing,
  registered,
  sleep,
  uniqueTeacherId,
} from './fixtures.js';

const streamFor = (teacherId: string): string => `teacher-${teacherId}`;

/** Appends a marker and returns its position: a recent point to subscribe from. */
const mark = async (store: EventStore): Promise<bigint> => {
  const t = uniqueTeacherId();
  const r = await store.append(streamFor(t), [registered(t)], 'no-stream');
  const position = r.outcomes[0]?.position;
  if (position === undefined) throw new Error('no outcome for the marker');
  return position;
};

export const subscribeCases = (store: () => EventStore): void => {
  describe('subscribe', () => {
    it('delivers catch-up then live events once each, in order, while a writer appends', async () => {
      const after = await mark(store());
      const t = uniqueTeacherId();
      const stream = streamFor(t);
      const stored = completions(t, 50);
      await store().append(stream, stored, 'no-stream');
      const live = Array.from({ length: 10 }, () => completions(t, 10));
      const expected = [...stored, ...live.flat()].map((e) => e.id);

      const writer = (async () => {
        for (const batch of live) {
          await store().append(stream, batch, 'exists');
          await sleep(5);
        }
      })();

      const received: RecordedEvent[] = [];
      const positions: bigint[] = [];
      let caughtUps = 0;
      let beforeCaughtUp = 0;
      for await (const m of store().subscribe({ after })) {
        if (m.kind === 'caught-up') {
          caughtUps++;
          continue;
        }
        positions.push(m.event.position);
        if (m.event.stream !== stream) continue;
        received.push(m.event);
        if (caughtUps === 0) beforeCaughtUp++;
        if (received.length === expected.length) break;
      }
      await writer;
      expect(received.map((e) => e.id)).toEqual(expected);
      expect(isStrictlyIncreasing(positions)).toBe(true);
      expect(positions.every((p) => p > after)).toBe(true);
      expect(caughtUps).toBeLessThanOrEqual(1);
      // Everything stored before the subscription started comes before caught-up.
      expect(beforeCaughtUp).toBeGreaterThanOrEqual(stored.length);
    });

    it('sends caught-up once, after the stored events, then waits for live ones', async () => {
      const t = uniqueTeacherId();
      const after = await mark(store());
      const stored = [registered(t)];
      await store().append(streamFor(t), stored, 'no-stream');
      const messages: SubscriptionMessage[] = [];
      const late = completions(t, 1);
      for await (const m of store().subscribe({ after })) {
        messages.push(m);
        if (m.kind === 'caught-up') await store().append(streamFor(t), late, 'exists');
        if (m.kind === 'event' && m.event.id === late[0]?.id) break;
      }
      const kinds = messages
        .filter((m) => m.kind === 'caught-up' || m.event.stream === streamFor(t))
        .map((m) => (m.kind === 'event' ? m.event.id : 'caught-up'));
      expect(kinds).toEqual([stored[0]?.id, 'caught-up', late[0]?.id]);
      const caughtUp = messages.find((m) => m.kind === 'caught-up');
      expect(caughtUp?.kind === 'caught-up' && caughtUp.position).toBeGreaterThanOrEqual(after);
    });

    it('starts strictly after the given position', async () => {
      const t = uniqueTeacherId();
      const events = [registered(t), ...completions(t, 4)];
      const r = await store().append(streamFor(t), events, 'no-stream');
      const from = r.outcomes[1]?.position as bigint;
      const ours: string[] = [];
      for await (const m of store().subscribe({ after: from })) {
        if (m.kind === 'event' && m.event.stream === streamFor(t)) ours.push(m.event.id);
        if (m.kind === 'caught-up') break;
      }
      expect(ours).toEqual(events.slice(2).map((e) => e.id));
    });

    it('ends when its signal is aborted while it waits for live events', async () => {
      const after = await mark(store());
      const controller = new AbortController();
      let caughtUp = false;
      const done = (async () => {
        for await (const m of store().subscribe({ after, signal: controller.signal })) {
          if (m.kind === 'caught-up') caughtUp = true;
        }
      })();
      while (!caughtUp) await sleep(5);
      const abortedAt = Date.now();
      controller.abort();
      await done;
      expect(Date.now() - abortedAt).toBeLessThan(2000);
    });

    it('stays usable after a subscriber breaks out', async () => {
      const t = uniqueTeacherId();
      const after = await mark(store());
      for await (const m of store().subscribe({ after })) if (m.kind === 'caught-up') break;
      const r = await store().append(streamFor(t), [registered(t)], 'no-stream');
      const seen: string[] = [];
      for await (const m of store().subscribe({ after })) {
        if (m.kind === 'event' && m.event.stream === streamFor(t)) seen.push(m.event.id);
        if (m.kind === 'caught-up') break;
      }
      expect(seen).toEqual([r.outcomes[0]?.id]);
    });
  });
};
