import { rm } from 'node:fs/promises';
import { type Child, killChildren, spawnChild } from './support/children.js';
import { snapshotOf, waitFor } from './support/fixture.js';
import { type Stack, type Template, prepareTemplate, startStack } from './support/stack.js';

// Any number of projectors on one read model: each event is written exactly once.
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

const checkpointOf = (line: Record<string, unknown>): bigint =>
  typeof line['checkpoint'] === 'string' ? BigInt(line['checkpoint']) : -1n;

const projector = (s: Stack, durable: string, batch = 50): Child =>
  spawnChild('projector-child.ts', [s.nats.url, s.pgUrl, durable, String(batch), '10000', '1000']);

test('two projectors with different consumer names on one read model: every figure once', async () => {
  stack = await startStack(template, 'twodurables');
  const s = stack;
  const a = projector(s, 'first');
  const b = projector(s, 'second');
  // Both up and waiting before a single event is relayed, as in the field.
  await Promise.all(
    [a, b].map((c) =>
      c.waitForLine((l) => l['message'] === 'projector waits for the events stream'),
    ),
  );
  s.relay();
  await waitFor(
    'the read model at the store head',
    async () => (await s.checkpoint()) === template.head,
  );
  // Give the standby the time it would need to write what it must not.
  await new Promise((r) => setTimeout(r, 1_500));
  await Promise.all([a.stop(), b.stop()]);
  expect(await snapshotOf(s.readModel, template.knownAt)).toEqual(template.reference);
}, 90_000);

test('two projectors with the same consumer name finish in seconds, not after ack waits', async () => {
  stack = await startStack(template, 'samedurable');
  const s = stack;
  s.relay();
  const a = projector(s, 'shared');
  const b = projector(s, 'shared');
  await waitFor(
    'the read model at the store head',
    async () => (await s.checkpoint()) === template.head,
    60_000,
  );
  await Promise.all([a.stop(), b.stop()]);
  // From the first lease taken to the last batch, by the children's own clocks
  // (the processes' start-up is not the projection's).
  const lines = [...a.lines, ...b.lines];
  const at = (l: Record<string, unknown> | undefined): number => Number(l?.['at']);
  const start = Math.min(...lines.filter((l) => l['message'] === 'lease held').map(at));
  const end = at(
    lines.find((l) => l['message'] === 'flushed' && checkpointOf(l) === template.head),
  );
  const took = end - start;
  // The ack wait is 10 s: a projector that waited for a message the other
  // had applied would sit it out at least once.
  expect(took).toBeLessThan(8_000);
  expect(await snapshotOf(s.readModel, template.knownAt)).toEqual(template.reference);
}, 90_000);

test('a projector paused (SIGSTOP) while the other takes over, then resumed (SIGCONT), writes nothing twice', async () => {
  stack = await startStack(template, 'zombie');
  const s = stack;
  s.relay();
  const first = projector(s, 'paused', 10);
  await first.waitForLine((l) => l['message'] === 'lease held');
  const second = projector(s, 'paused', 10);
  await second.waitForLine((l) => l['message'] === 'standing by');
  // On a fast machine the first may be past a quarter of the stream already: a line it logged counts.
  const pastQuarter = (l: Record<string, unknown>) =>
    l['message'] === 'flushed' && checkpointOf(l) >= template.head / 4n;
  if (!first.lines.some(pastQuarter)) await first.waitForLine(pastQuarter);
  first.signal('SIGSTOP');
  const pausedAt = performance.now();
  await second.waitForLine((l) => l['message'] === 'lease held', 20_000);
  const takeoverMs = performance.now() - pausedAt;
  // Let the read model move on past half the stream (the paused one may already
  // have taken it there before it stopped), then wake the paused one up.
  await waitFor(
    'the read model past half the stream',
    async () => ((await s.checkpoint()) ?? -1n) >= template.head / 2n,
  );
  first.signal('SIGCONT');
  await first.waitForLine(
    (l) => l['message'] === 'standing by' || l['message'] === 'refused',
    20_000,
  );
  await waitFor(
    'the read model at the store head',
    async () => (await s.checkpoint()) === template.head,
  );
  await new Promise((r) => setTimeout(r, 1_500));
  await Promise.all([first.stop(), second.stop()]);
  expect(takeoverMs).toBeLessThan(5_000);
  expect(await snapshotOf(s.readModel, template.knownAt)).toEqual(template.reference);
}, 90_000);
