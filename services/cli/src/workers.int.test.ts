import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { cliSandbox } from './test-support/run.js';

type Sandbox = ReturnType<typeof cliSandbox>;
const sandboxes: Sandbox[] = [];
let base: Sandbox;

const copy = (): Sandbox => {
  const s = cliSandbox();
  sandboxes.push(s);
  cpSync(base.dir, s.dir, { recursive: true });
  return s;
};

/** A verify report without its timings, which differ from run to run. */
const verifyJson = async (s: Sandbox, workers?: string): Promise<unknown> => {
  const r = await s.run([
    'verify',
    '--format',
    'json',
    ...(workers === undefined ? [] : ['--workers', workers]),
  ]);
  return JSON.parse(r.stdout, (key, value: unknown) => (key === 'ms' ? undefined : value));
};

beforeAll(async () => {
  base = cliSandbox();
  sandboxes.push(base);
  expect((await base.run(['demo', '--teachers', '60'])).code).toBe(0);
  expect((await base.run(['signing', 'init'])).code).toBe(0);
  expect((await base.run(['audit', 'checkpoint'])).code).toBe(0);
}, 60_000);

afterAll(() => {
  for (const s of sandboxes) s.cleanup();
});

describe('replays in worker processes (--workers)', () => {
  it('rebuild gives the digest of a rebuild in this process', async () => {
    const s = copy();
    const digest = (out: string) => /digest ([0-9a-f]{64})/.exec(out)?.[1];
    const one = await s.run(['rebuild', '--workers', '1']);
    const two = await s.run(['rebuild', '--workers', '2']);
    expect([one.code, two.code]).toEqual([0, 0]);
    expect(digest(two.stdout)).toBeDefined();
    expect(digest(two.stdout)).toBe(digest(one.stdout));
    expect(two.stdout).toContain('rebuilt v3 (was v2)');
    // Each rebuild keeps its version and the one it replaced; older files go.
    expect(one.stdout).not.toContain('removed');
    expect(two.stdout).toMatch(/^removed older versions v1 \(\d+ MB\)$/m);
    const files = readdirSync(s.dir).filter((f) => f.startsWith('readmodel.'));
    expect(files.filter((f) => f.endsWith('.sqlite')).sort()).toEqual([
      'readmodel.sqlite',
      'readmodel.v2.sqlite',
      'readmodel.v3.sqlite',
    ]);
    const figures = await s.run(['indicators', '--as-of', '2025-12-31', '--format', 'json']);
    expect(figures.code).toBe(0);
  }, 60_000);

  it('verify reports exactly what its one-pass replay reports, on a sound log and on a tampered one', async () => {
    // A short log: one pass here by default; --workers puts the replay in worker processes.
    const sound = copy();
    const onePass = await verifyJson(sound);
    expect(onePass).toMatchObject({ ok: true });
    expect(await verifyJson(sound, '1')).toEqual(onePass);
    expect(await verifyJson(sound, '2')).toEqual(onePass);

    const tampered = copy();
    const db = new Database(path.join(tampered.dir, 'events.sqlite'));
    db.prepare(
      `UPDATE events SET data = json_set(data, '$.awardedOn', '2001-01-01') WHERE position = (SELECT min(position) FROM events WHERE type = 'DegreeAwarded')`,
    ).run();
    db.close();
    const oneTampered = await verifyJson(tampered);
    expect(oneTampered).toMatchObject({ ok: false });
    expect(await verifyJson(tampered, '1')).toEqual(oneTampered);
    expect(await verifyJson(tampered, '2')).toEqual(oneTampered);
  }, 90_000);

  it('verify stops its replay workers and says why when the audit file cannot be read', async () => {
    const s = copy();
    const db = new Database(path.join(s.dir, 'audit.sqlite'));
    db.prepare('DELETE FROM leaves WHERE idx = 3').run();
    db.close();
    for (const workers of ['1', '2']) {
      const r = await s.run(['verify', '--workers', workers]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('audit leaf table has a gap at index 3');
      expect(r.stdout).toBe('');
    }
  }, 60_000);

  it('refuses a worker count that is not a whole number from 1 to 64', async () => {
    const r = await base.run(['rebuild', '--workers', '0']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--workers 0: expected a whole number from 1 to 64');
  });
});
