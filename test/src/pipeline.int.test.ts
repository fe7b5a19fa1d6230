import { rm } from 'node:fs/promises';
import { EVENTS_STREAM, encodeEvent, positionOf } from '@nhagiao/bus';
import { connect } from '@nhagiao/bus/test-support';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { projectorStatus, statusProblems } from '@nhagiao/projector';
import {
  embeddedSnapshot,
  indicators,
  ingestInto,
  snapshotOf,
  waitFor,
} from './support/fixture.js';
import { type Stack, type Template, prepareTemplate, startStack } from './support/stack.js';

let template: Template;
let stack: Stack | undefined;

beforeAll(async () => {
  template = await prepareTemplate(150);
}, 60_000);

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

afterAll(async () => {
  await rm(template.dir, { recursive: true, force: true });
});

/** Every message of the stream, in sequence order, as store positions. */

const streamPositions = async (natsUrl: string): Promise<bigint[]> => {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const last = (await jsm.streams.info(EVENTS_STREAM)).state.last_seq;
    const out: bigint[] = [];
    for (let seq = 1; seq <= last; seq++) {
      const m = await jsm.streams.getMessage(EVENTS_STREAM, { seq });
      out.push(positionOf({ data: m.data, headers: m.header }));
    }
    return out;
  } finally {
    await nc.close();
  }
};

const allPositions = (head: bigint): bigint[] =>
  Array.from({ length: Number(head) }, (_, i) => BigInt(i + 1));

test('store → relay → NATS → projector → PostgreSQL gives the embedded figures and digest; a re-publish past the dedupe window counts nothing', async () => {
  stack = await startStack(template, 'clean');
  const s = stack;
  s.relay();
  s.projector();
  await waitFor(
    'projector at the store head',
    async () => (await s.checkpoint()) === template.head,
  );
  expect(await snapshotOf(s.readModel, template.knownAt)).toEqual(template.reference);
  expect(await streamPositions(s.nats.url)).toEqual(allPositions(template.head));

  // An old event published again after JetStream forgot its msgID.
  const nc = await connect({ servers: s.nats.url });
  const store = openSqliteEventStore(s.storePath, { readOnly: true });
  try {
    let republished = 0;
    for await (const event of store.readAll({ after: template.head - 200n })) {
      if (republished++ % 10 !== 0) continue;
      const m = encodeEvent(event);
      const ack = await nc.jetstream().publish(m.subject, m.payload, { headers: m.headers });
      expect(ack.duplicate).toBe(false);
    }
    const jsm = await nc.jetstreamManager();
    await waitFor('re-published messages acked', async () => {
      const info = await jsm.consumers.info(EVENTS_STREAM, 'projector-e2e');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
    expect(await s.checkpoint()).toBe(template.head);
    expect(await snapshotOf(s.readModel, template.knownAt)).toEqual(template.reference);

    const status = await projectorStatus({ store, readModel: s.readModel, nc, indicators });
    expect(status.storeHead).toBe(template.head);
    expect(status.relay?.checkpoint).toBe(template.head);
    expect(status.readModels).toEqual([
      expect.objectContaining({
        version: 'v1',
        active: true,
        checkpoint: template.head,
        lag: 0n,
        check: { rows: expect.any(Number), duplicateRows: 0, beyondCheckpoint: 0 },
        expectedRows: status.readModels[0]?.check.rows,
        leaseHolder: expect.any(String),
      }),
    ]);
    expect(status.relay?.leaseHolder).toEqual(expect.any(String));
    expect(statusProblems(status, { maxLag: 0n })).toEqual([]);
    expect(status.consumers).toEqual([
      expect.objectContaining({ name: 'projector-e2e', pending: 0, ackPending: 0 }),
    ]);
  } finally {
    await store.close();
    await nc.close();
  }
}, 60_000);

test('nats-server restarted while events flow: figures and digest identical to a clean replay', async () => {
  stack = await startStack(template, 'natsrestart', { emptyStore: true });
  const s = stack;
  s.relay();
  s.projector();
  const writer = openSqliteEventStore(s.storePath);
  let head: bigint;
  try {
    const chunks = 8;
    const size = Math.ceil(template.envelopes.length / chunks);
    for (let i = 0; i < chunks; i++) {
      await ingestInto(writer, template.envelopes.slice(i * size, (i + 1) * size));
      if (i === 3) await s.nats.restart({ downMs: 300 });
      else await new Promise((r) => setTimeout(r, 100));
    }
    head = (await writer.head()) ?? 0n;
  } finally {
    await writer.close();
  }
  await waitFor('projector at the store head', async () => (await s.checkpoint()) === head, 45_000);
  // Recorded now, not copied: the clean replay is of this store.
  const clean = await embeddedSnapshot(s.storePath, template.dir, template.knownAt);
  expect(await snapshotOf(s.readModel, template.knownAt)).toEqual(clean);
  expect(await streamPositions(s.nats.url)).toEqual(allPositions(head));
}, 90_000);

test('two relays started at once: one publishes, the stream holds each event once, in order', async () => {
  stack = await startStack(template, 'tworelays');
  const s = stack;
  const stopFirst = s.relay('relay-a');
  s.relay('relay-b');
  s.projector();
  await waitFor(
    'projector at the store head',
    async () => (await s.checkpoint()) === template.head,
  );
  // The holder goes away: the other takes over and has nothing to add.
  await stopFirst();
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await streamPositions(s.nats.url)).toEqual(allPositions(template.head));
  expect(await snapshotOf(s.readModel, template.knownAt)).toEqual(template.reference);
}, 60_000);
