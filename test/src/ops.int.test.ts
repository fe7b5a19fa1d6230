import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type TestNatsServer, startNatsServer } from '@nhagiao/bus/test-support';
import { createDatabase } from './support/postgres.js';
import { waitFor } from './support/fixture.js';
import { type Template, prepareTemplate } from './support/stack.js';

// The operator's view: relay and project run as `nhagiao` commands, read through
// their /healthz, /readyz and /metrics, their JSON logs and `nhagiao status`.
const MAIN = resolve(__dirname, '../../services/cli/src/main.ts');

let template: Template;
let nats: TestNatsServer;
let db: { url: string; drop(): Promise<void> };
let storePath: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  template = await prepareTemplate(60);
  nats = await startNatsServer();
  db = await createDatabase('ops');
  storePath = join(template.dir, 'ops.sqlite');
  await copyFile(template.storePath, storePath);
}, 60_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await nats?.stop();
  await db?.drop();
  await rm(template.dir, { recursive: true, force: true });
});

interface Running {
  readonly lines: Record<string, unknown>[];
  url(): Promise<string>;
  stop(): Promise<void>;
}

const nhagiao = (args: readonly string[]): Running => {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NHAGIAO_NATS_URL: '', NHAGIAO_NATS: '' },
  });
  children.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: child.stderr! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      lines.push({ text });
    }
  });
  return {
    lines,
    async url() {
      let found: string | undefined;
      await waitFor('the ops endpoints', async () => {
        found = lines.find((l) => typeof l['url'] === 'string')?.['url'] as string | undefined;
        return found !== undefined;
      });
      return found!;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      children.delete(child);
    },
  };
};

const get = async (url: string): Promise<{ status: number; body: string }> => {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
};

const metric = (text: string, name: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};

const status = (extra: readonly string[] = []) =>
  spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      'status',
      '--store',
      `sqlite:${storePath}`,
      '--readmodel',
      db.url,
      '--nats',
      nats.url,
      '--format',
      'json',
      ...extra,
    ],
    { encoding: 'utf8', env: { ...process.env } },
  );

test('relay and project serve health, readiness and metrics; status names the lease holders and exits 1 when unhealthy', async () => {
  const common = ['--nats', nats.url, '--listen', '127.0.0.1:0', '--log-format', 'json'];
  const relay = nhagiao(['relay', '--store', `sqlite:${storePath}`, ...common]);
  const project = nhagiao(['project', '--readmodel', db.url, '--batch-size', '200', ...common]);
  const [relayUrl, projectUrl] = await Promise.all([relay.url(), project.url()]);

  expect((await get(`${projectUrl}/healthz`)).status).toBe(200);
  await waitFor('project ready', async () => (await get(`${projectUrl}/readyz`)).status === 200);
  const head = Number(template.head);
  await waitFor('every event projected', async () => {
    const text = (await get(`${projectUrl}/metrics`)).body;
    return metric(text, 'nhagiao_events_projected_total') === head;
  });
  const projected = (await get(`${projectUrl}/metrics`)).body;
  expect(metric(projected, 'nhagiao_lease_held')).toBe(1);
  expect(metric(projected, 'nhagiao_nats_connected')).toBe(1);
  expect(metric(projected, 'nhagiao_batches_refused_total')).toBe(0);
  expect(metric(projected, 'nhagiao_batch_duration_seconds_count')).toBeGreaterThan(0);
  expect(projected).toContain('process_cpu_seconds_total');
  const relayed = (await get(`${relayUrl}/metrics`)).body;
  expect(metric(relayed, 'nhagiao_events_relayed_total')).toBe(head);
  expect((await get(`${relayUrl}/readyz`)).status).toBe(200);
  expect(JSON.parse((await get(`${projectUrl}/readyz`)).body)).toMatchObject({
    ready: true,
    state: 'projecting',
    lagEvents: '0',
  });
  // Measured by the readiness probe: caught up, so no event is waiting.
  expect(metric((await get(`${projectUrl}/metrics`)).body, 'nhagiao_lag_seconds')).toBe(0);
  expect(metric((await get(`${relayUrl}/metrics`)).body, 'nhagiao_lag_seconds')).toBe(0);

  const healthy = status(['--max-lag', '0']);
  expect(healthy.status).toBe(0);
  const report = JSON.parse(healthy.stdout) as {
    healthy: boolean;
    relay: { leaseHolder: string };
    readModels: { leaseHolder: string; check: { duplicateRows: number } }[];
  };
  expect(report.healthy).toBe(true);
  expect(report.relay.leaseHolder).toMatch(/-\d+-/);
  expect(report.readModels[0]?.leaseHolder).toMatch(/-\d+-/);
  expect(report.readModels[0]?.check.duplicateRows).toBe(0);
  // Each line of the logs is one JSON object with a level and a message.
  for (const l of [...relay.lines, ...project.lines])
    expect(l).toEqual(
      expect.objectContaining({ level: expect.any(String), message: expect.any(String) }),
    );

  await project.stop();
  const unhealthy = status();
  expect(unhealthy.status).toBe(1);
  expect((JSON.parse(unhealthy.stdout) as { problems: string[] }).problems).toEqual([
    'no projector holds read model v1',
  ]);
  await relay.stop();
}, 90_000);

test('project and relay refuse to guess a NATS server', () => {
  for (const command of ['project', 'relay']) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', MAIN, command], {
      encoding: 'utf8',
      env: { ...process.env, NHAGIAO_NATS_URL: '', NHAGIAO_NATS: '' },
    });
    expect(run.status).toBe(64);
    expect(run.stderr).toContain('pass --nats');
  }
});
