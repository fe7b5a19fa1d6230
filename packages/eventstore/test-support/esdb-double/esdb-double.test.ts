import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  excludeSystemEvents,
  jsonEvent,
} from '@eventstore/db-client';
import { type EsdbDouble, type EsdbDoubleOptions, startEsdbDouble } from './index.js';

/** What the real client makes of the double's answers, for each wire variant the issue lists. */
const variants: Array<[string, EsdbDoubleOptions]> = [
  ['BatchAppend, stream_not_found message', {}],
  [
    'legacy Append, no ServerFeatures, errors in trailers',
    { serverFeatures: false, wrongExpectedVersion: 'trailers', streamNotFound: 'trailers' },
  ],
  ['Append with the result message', { batchAppend: false }],
];

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

describe.each(variants)('protocol double (%s)', (_name, options) => {
  let double: EsdbDouble;
  let client: EventStoreDBClient;
  beforeAll(async () => {
    double = await startEsdbDouble({ ...options, checkpointBase: 4 });
    client = EventStoreDBClient.connectionString(double.url);
  });
  afterAll(async () => {
    await client.dispose();
    await double.stop();
  });

  it('appends with revisions from 0 and sparse, increasing $all positions', async () => {
    const r = await client.appendToStream(
      'teacher-a',
      [jsonEvent({ type: 'A', data: { n: 1 } }), jsonEvent({ type: 'B', data: { n: 2 } })],
      { expectedRevision: 'no_stream' },
    );
    expect(r.nextExpectedRevision).toBe(1n);
    const read = await collect(client.readStream('teacher-a'));
    expect(read.map((e) => e.event?.revision)).toEqual([0n, 1n]);
    const [p0, p1] = read.map((e) => e.event?.position?.commit as bigint);
    expect(r.position?.commit).toBe(p1);
    expect((p1 as bigint) - (p0 as bigint)).toBeGreaterThan(1n);
    // `created` travels as .NET ticks; the client turns it into a Date.
    expect(Math.abs((read[0]?.event?.created.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('reports a wrong expected version with the current revision', async () => {
    await expect(
      client.appendToStream('teacher-a', jsonEvent({ type: 'C', data: {} }), {
        expectedRevision: 0n,
      }),
    ).rejects.toMatchObject({ type: 'wrong-expected-version', actualVersion: 1n });
    await expect(
      client.appendToStream('teacher-nobody', jsonEvent({ type: 'C', data: {} }), {
        expectedRevision: 'stream_exists',
      }),
    ).rejects.toMatchObject({ type: 'wrong-expected-version' });
  });

  it('reports a missing stream as stream-not-found', async () => {
    await expect(collect(client.readStream('teacher-missing'))).rejects.toMatchObject({
      type: 'stream-not-found',
    });
  });

  it('reads $all inclusively from a position, and backwards from the end', async () => {
    const all = await collect(client.readAll());
    expect(all[0]?.event?.streamId).toBe('$settings');
    const second = all[1]?.event?.position;
    if (!second) throw new Error('no second event');
    const from = await collect(client.readAll({ fromPosition: second }));
    expect(from[0]?.event?.position).toEqual(second);
    const last = await collect(
      client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }),
    );
    expect(last[0]?.event?.id).toBe(all.at(-1)?.event?.id);
    const forwards = await collect(client.readAll({ fromPosition: START, direction: FORWARDS }));
    expect(forwards).toHaveLength(all.length);
  });

  it('subscribes: confirmation, filtered events after the position, checkpoints, caught-up, live', async () => {
    const all = await collect(client.readAll());
    const after = all[0]?.event?.position;
    if (!after) throw new Error('empty log');
    const checkpoints: bigint[] = [];
    const sub = client.subscribeToAll({
      fromPosition: after,
      filter: excludeSystemEvents({
        checkpointReached: (_s, p) => void checkpoints.push(p.commit),
      }),
    });
    let caughtUp = false;
    sub.on('caughtUp', () => {
      caughtUp = true;
    });
    const seen: string[] = [];
    for await (const e of sub) {
      seen.push(e.event?.streamId ?? '');
      if (seen.length === 2) {
        await client.appendToStream('teacher-b', jsonEvent({ type: 'D', data: {} }));
      }
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['teacher-a', 'teacher-a', 'teacher-b']);
    expect(caughtUp).toBe(true);
    expect(checkpoints.length).toBeGreaterThan(0);
  });
});

describe('protocol double lifecycle', () => {
  it('keeps its data across a restart on the same port and drops live subscriptions on demand', async () => {
    const double = await startEsdbDouble();
    const client = EventStoreDBClient.connectionString(double.url);
    try {
      await client.appendToStream('teacher-r', jsonEvent({ type: 'A', data: {} }));
      const port = double.port;
      await double.restart();
      expect(double.port).toBe(port);
      const again = EventStoreDBClient.connectionString(double.url);
      expect(await collect(again.readStream('teacher-r'))).toHaveLength(1);
      const sub = again.subscribeToAll({ fromPosition: END });
      const failed = new Promise((resolve) => sub.on('error', resolve));
      await new Promise((r) => sub.once('confirmation', r));
      expect(double.dropSubscriptions()).toBe(1);
      await expect(failed).resolves.toMatchObject({ type: 'unavailable' });
      await again.dispose();
    } finally {
      await client.dispose();
      await double.stop();
    }
  });
});
