import { rmSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { runCli } from '../cli.js';
import { cliSandbox, ev } from '../test-support/run.js';

const unit = (i: number) =>
  ev('UnitRegistered', {
    unitId: `u${i}`,
    name: `Đơn vị ${i}`,
    kind: 'other',
    area: 'a',
    registeredOn: '2020-01-01',
  });

/** `nhagiao serve` in process: resolves with its address once it listens. */
const startServe = (dir: string, signal: AbortSignal) => {
  const stderr = new PassThrough();
  let text = '';
  const address = new Promise<string>((resolve, reject) => {
    stderr.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      const m = /nhagiao serve: (http:\/\/\S+)/.exec(text);
      if (m?.[1]) resolve(m[1]);
    });
    setTimeout(() => reject(new Error(`serve did not start: ${text}`)), 20_000).unref();
  });
  const done = runCli(['serve', '--port', '0', '--data-dir', dir], {
    stdout: new PassThrough(),
    stderr,
    stdin: Readable.from(['']),
    env: {},
    signal,
  });
  return { address, done };
};

describe('nhagiao audit consistency', () => {
  const box = cliSandbox();
  afterAll(() => box.cleanup());
  const old = path.join(box.dir, 'old.checkpoint');
  const next = path.join(box.dir, 'new.checkpoint');

  beforeAll(async () => {
    expect((await box.run(['signing', 'init', '--name', 'nhagiao.test/consistency'])).code).toBe(0);
    expect((await box.run(['import', box.file([0, 1, 2, 3, 4].map(unit))])).code).toBe(0);
    expect((await box.run(['audit', 'checkpoint', '--out', old])).code).toBe(0);
    expect(
      (
        await box.run([
          'import',
          box.file([
            ...[5, 6, 7].map(unit),
            ev('TeacherRegistered', {
              teacherId: 't1',
              fullName: 'Lường Thị Hà',
              ethnicity: 'Tày',
            }),
          ]),
        ])
      ).code,
    ).toBe(0);
    expect((await box.run(['audit', 'checkpoint', '--out', next])).code).toBe(0);
  }, 60_000);

  it('proves a later checkpoint extends an earlier one, from the local audit file or a served log', async () => {
    const local = await box.run(['audit', 'consistency', old, next]);
    expect(local.stderr).toBe('');
    expect(local.code).toBe(0);
    expect(local.stdout).toContain('ĐẠT / OK: the tree of 9 extends the tree of 5');

    const controller = new AbortController();
    const served = startServe(box.dir, controller.signal);
    try {
      const url = `${await served.address}/v1/log/checkpoint`;
      const remote = await box.run(['audit', 'consistency', old, url, '--format', 'json']);
      expect(remote.code).toBe(0);
      expect(JSON.parse(remote.stdout)).toMatchObject({
        consistent: true,
        old: { size: 5 },
        new: { size: 9 },
        proofFrom: url.replace('/checkpoint', ''),
      });
    } finally {
      controller.abort();
      await served.done;
    }
  }, 60_000);

  it('verifies a served log from its HTTP routes alone, with an auditor key', async () => {
    const auditor = (await box.run(['keys', 'create', '--role', 'auditor'])).stdout.trim();
    const reporter = (await box.run(['keys', 'create', '--role', 'reporter'])).stdout.trim();
    const controller = new AbortController();
    const served = startServe(box.dir, controller.signal);
    try {
      const url = await served.address;
      const key = path.join(box.dir, 'audit-public.key');
      const r = await box.run([
        'verify',
        '--from',
        url,
        '--auditor-key',
        auditor,
        '--public-key',
        key,
        '--format',
        'json',
      ]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        ok: true,
        replay: { events: 9 },
        log: { logSize: 9, coveredSize: 9 },
      });
      const refused = await box.run([
        'verify',
        '--from',
        url,
        '--auditor-key',
        reporter,
        '--public-key',
        key,
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('HTTP 403');
    } finally {
      controller.abort();
      await served.done;
    }
  }, 60_000);

  it('fails when the operator rewrote an old event, rebuilt the audit file and signed again', async () => {
    const db = new Database(path.join(box.dir, 'events.sqlite'));
    db.prepare(
      "UPDATE events SET data = json_set(data, '$.name', 'Đơn vị sửa') WHERE position = 2",
    ).run();
    db.close();
    rmSync(path.join(box.dir, 'audit.sqlite'));
    const rewritten = path.join(box.dir, 'rewritten.checkpoint');
    expect((await box.run(['audit', 'checkpoint', '--out', rewritten])).code).toBe(0);
    const r = await box.run(['audit', 'consistency', old, rewritten]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('LỖI / FAIL: the tree of 9 does NOT extend the tree of 5');
    // A public-key file that holds no key is refused before any proof.
    const other = await box.run(['audit', 'consistency', old, rewritten, '--public-key', old]);
    expect(other.code).toBe(1);
  }, 60_000);
});
