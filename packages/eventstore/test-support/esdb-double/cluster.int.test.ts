import { randomUUID } from 'node:crypto';
import type { Envelope, RecordedEvent } from '@nhagiao/domain';
import { openEsdbEventStore } from '../../src/esdb/index.js';
import type { EventStore } from '../../src/port.js';
import { type EsdbCluster, startEsdbCluster } from './index.js';

const completed = (teacherId: string, i: number): Envelope => ({
  id: randomUUID(),
  type: 'CourseCompleted',
  data: { teacherId, programmeId: `p-${i}`, completedOn: '2025-05-12' },
});
const newTeacher = () => `cl-${randomUUID().slice(0, 12)}`;
const quick = { initialDelayMs: 20, maxDelayMs: 200, giveUpAfterMs: 10_000 };

let cluster: EsdbCluster;
let store: EventStore;
beforeEach(async () => {
  cluster = await startEsdbCluster({ nodes: 3 });
  store = openEsdbEventStore(cluster.url, { retry: quick, resubscribe: quick });
});
afterEach(async () => {
  await store.close();
  await cluster.stop();
});

describe('EventStoreDB adapter on a 3-node cluster (protocol doubles)', () => {
  it('finds the leader through gossip and follows it when it changes or is killed, writing each event once', async () => {
    const t = newTeacher();
    const stream = `teacher-${t}`;
    const events = Array.from({ length: 30 }, (_, i) => completed(t, i));
    let expected: bigint | 'no-stream' = 'no-stream';
    for (let i = 0; i < 30; i += 5) {
      if (i === 10) cluster.changeLeader();
      if (i === 20) await cluster.killLeader();
      const r = await store.append(stream, events.slice(i, i + 5), expected);
      expected = r.nextExpected;
    }
    expect(cluster.leader).not.toBe(0);
    const stored: RecordedEvent[] = [];
    for await (const e of store.readStream(stream)) stored.push(e);
    expect(stored.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(cluster.log.events.filter((e) => e.stream === stream)).toHaveLength(30);
  });

  it('keeps a subscription going through a leader change and a killed leader: nothing lost, repeated or reordered', async () => {
    const t = newTeacher();
    const stream = `teacher-${t}`;
    const events = Array.from({ length: 60 }, (_, i) => completed(t, i));
    const got: string[] = [];
    const reading = (async () => {
      for await (const m of store.subscribe()) {
        if (m.kind !== 'event' || m.event.stream !== stream) continue;
        got.push(m.event.id);
        if (got.length === events.length) return;
      }
    })();
    const writer = openEsdbEventStore(cluster.url, { retry: quick });
    try {
      for (let i = 0; i < 60; i += 10) {
        if (i === 20) cluster.changeLeader();
        if (i === 40) await cluster.killLeader();
        await writer.append(stream, events.slice(i, i + 10), 'any');
        await new Promise((r) => setTimeout(r, 20));
      }
      await reading;
    } finally {
      await writer.close();
    }
    expect(got).toEqual(events.map((e) => e.id));
  });

  it('refuses one stream batch over the 1 MiB append limit on the leader, clearly, storing none of it', async () => {
    const t = newTeacher();
    const pad = 'x'.repeat(600 * 1024);
    const big = (i: number): Envelope => ({
      id: randomUUID(),
      type: 'CourseCompleted',
      data: { teacherId: t, programmeId: `p-${i}-${pad}`, completedOn: '2025-05-12' },
    });
    cluster.changeLeader();
    const error = await store
      .append(`teacher-${t}`, [big(0), big(1)], 'no-stream')
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(/append limit of 1048576 bytes.*Send fewer or smaller events/);
    expect(cluster.log.events.some((e) => e.stream === `teacher-${t}`)).toBe(false);
  });

  it("keeps recordedAt monotone when the new leader's clock is behind", async () => {
    const t = newTeacher();
    const stream = `teacher-${t}`;
    await store.append(stream, [completed(t, 0)], 'no-stream');
    cluster.changeLeader(undefined, { stepClockBackMs: 1_000 });
    await store.append(stream, [completed(t, 1)], 0n);
    const read: RecordedEvent[] = [];
    for await (const e of store.readAll()) if (e.stream === stream) read.push(e);
    expect(read[1]?.recordedAt).toBe(read[0]?.recordedAt);
    const [first, second] = read as [RecordedEvent, RecordedEvent];
    expect((second.metadata.serverRecordedAt as string) < first.recordedAt).toBe(true);
  });
});
