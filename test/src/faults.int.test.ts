import { rm } from 'node:fs/promises';
import { EVENTS_STREAM } from '@nhagiao/bus';
import { connect } from '@nhagiao/bus/test-support';
import { killChildren, spawnChild } from './support/children.js';
import { snapshotOf, waitFor } from './support/fixture.js';
import { type Stack, type Template, prepareTemplate, startStack } from './support/stack.js';

let template: Template;
let stack: Stack | undefined;

beforeAll(async () => {
  template = await prepareTemplate(150);
}, 60_000);

afterEach(async () => {
  killChildren();
  await stack?.close();
  stack = undefined;
});

afterAll(async () => {
  await rm(template.dir, { recursive: true, force: true });
});

const positionField = (field: string) => (line: Record<string, unknown>) => {
  const v = line[field];
  return typeof v === 'string' ? BigInt(v) : null;
};

test('projector killed with SIGKILL mid-stream and restarted: figures and digest identical to a clean replay', async () => {
  stack = await startStack(template, 'killprojector');
  const s = stack;
  s.relay();
  const checkpointOf = positionField('checkpoint');
  const args = [s.nats.url, s.pgUrl, 'projector-child', '50', '1500'];
  const first = spawnChild('projector-child.ts', args);
  const mid = template.head / 3n;
  await first.waitForLine((l) => l['message'] === 'flushed' && (checkpointOf(l) ?? 0n) >= mid);
  await first.kill9();
  const killedAt = (await s.checkpoint()) ?? 0n;
  expect(killedAt).toBeGreaterThanOrEqual(mid);
  expect(killedAt).toBeLessThan(template.head);

  const second = spawnChild('projector-child.ts', args);
  await waitFor(
    'restarted projector at the store head',
    async () => (await s.checkpoint()) === template.head,
  );
  await second.stop();
  expect(await snapshotOf(s.readModel, template.knownAt)).toEqual(template.reference);
}, 90_000);

test('relay killed with SIGKILL between publish and checkpoint: nothing missing, nothing twice', async () => {
  stack = await startStack(template, 'killrelay');
  const s = stack;
  s.projector();
  const positionOfLine = positionField('position');
  // A checkpoint interval far longer than the test: it dies having published without checkpointing.
  const args = [s.storePath, s.nats.url, 'relay-child-1', '600000'];
  const first = spawnChild('relay-child.ts', args);
  const mid = template.head / 2n;
  await first.waitForLine((l) => l['message'] === 'published' && (positionOfLine(l) ?? 0n) >= mid);
  await first.kill9();

  const nc = await connect({ servers: s.nats.url });
  try {
    const kv = await nc.jetstream().views.kv('nhagiao_relay');
    const saved = await kv.get('checkpoint');
    const savedAt = saved === null || saved.operation !== 'PUT' ? 0n : BigInt(saved.string());
    const published = (await (await nc.jetstreamManager()).streams.info(EVENTS_STREAM)).state
      .messages;
    expect(BigInt(published)).toBeGreaterThan(savedAt);

    const second = spawnChild('relay-child.ts', [s.storePath, s.nats.url, 'relay-child-2', '100']);
    await waitFor(
      'projector at the store head',
      async () => (await s.checkpoint()) === template.head,
    );
    await second.stop();
    const info = await (await nc.jetstreamManager()).streams.info(EVENTS_STREAM);
    expect(BigInt(info.state.messages)).toBe(template.head);
  } finally {
    await nc.close();
  }
  expect(await snapshotOf(s.readModel, template.knownAt)).toEqual(template.reference);
}, 90_000);
