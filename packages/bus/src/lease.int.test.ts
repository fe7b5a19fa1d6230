import { type KV, type NatsConnection, connect } from 'nats';
import { connectNats } from './connection.js';
import { acquireLease, keepLease, openKvBucket } from './lease.js';
import { type TestNatsServer, startNatsServer } from './test-support/index.js';

let server: TestNatsServer;
let nc: NatsConnection;
let kv: KV;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  kv = await openKvBucket(nc.jetstream(), 'leases_test');
});
afterAll(async () => {
  await nc.close();
  await server.stop();
});

const settledWithin = async (p: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('acquireLease', () => {
  it('gives the lease to one holder; the other waits while it is renewed', async () => {
    const a = await acquireLease(kv, 'held', 'relay-a', 600);
    const keeper = keepLease(a);
    const waiting = new AbortController();
    let waitedOn = '';
    const b = acquireLease(kv, 'held', 'relay-b', 600, {
      signal: waiting.signal,
      onWait: (h) => (waitedOn = h),
    });
    b.catch(() => undefined);
    // Three ttls: a keeps renewing, so b must still be waiting.
    expect(await settledWithin(b, 1_800)).toBe(false);
    expect(waitedOn).toBe('relay-a');
    expect(keeper.lost.aborted).toBe(false);
    waiting.abort();
    await expect(b).rejects.toBeDefined();
    keeper.stop();
    await a.release();
  });

  it('lets a waiter take over once the holder stops renewing, and the old holder learns it lost', async () => {
    const a = await acquireLease(kv, 'dies', 'relay-a', 500);
    const started = performance.now();
    const b = await acquireLease(kv, 'dies', 'relay-b', 500);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(500);
    expect(waited).toBeLessThan(2_000);
    expect(b.holderId).toBe('relay-b');
    expect((await kv.get('dies'))?.json<{ holder: string }>().holder).toBe('relay-b');
    await expect(a.renew()).rejects.toMatchObject({ code: 'lease-lost' });
    await b.release();
  });

  it('hands over at once when the holder releases', async () => {
    const a = await acquireLease(kv, 'released', 'relay-a', 60_000);
    const b = acquireLease(kv, 'released', 'relay-b', 60_000, { pollMs: 20 });
    await new Promise((r) => setTimeout(r, 100));
    await a.release();
    expect(await settledWithin(b, 1_000)).toBe(true);
    await (await b).release();
  });

  it('of two waiters racing for an expired lease exactly one wins', async () => {
    await acquireLease(kv, 'race', 'relay-a', 300);
    const got: string[] = [];
    const ctl = new AbortController();
    const contenders = ['relay-b', 'relay-c'].map((id) =>
      acquireLease(kv, 'race', id, 10_000, { signal: ctl.signal, pollMs: 25 }).then((l) => {
        got.push(l.holderId);
        return l;
      }),
    );
    await new Promise((r) => setTimeout(r, 1_200));
    ctl.abort();
    await Promise.allSettled(contenders);
    expect(got).toHaveLength(1);
  });

  it('keeps a lease whose renewals fail for less than its ttl (nats-server restarted)', async () => {
    const client = await connectNats(server.url, 'lease-keeper');
    try {
      const bucket = await openKvBucket(client.jetstream({ timeout: 1_000 }), 'leases_test');
      const lease = await acquireLease(bucket, 'survives', 'relay-a', 4_000);
      const keeper = keepLease(lease, 300);
      await server.restart({ downMs: 800 });
      // Renewals failed while the server was away; the ttl had not run out.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(keeper.lost.aborted).toBe(false);
      const renewedAfter = lease.revision;
      await new Promise((r) => setTimeout(r, 1_000));
      expect(lease.revision).toBeGreaterThan(renewedAfter);
      keeper.stop();
      await lease.release();
    } finally {
      await client.close();
    }
  }, 30_000);
});
