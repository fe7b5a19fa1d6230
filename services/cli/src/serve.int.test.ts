import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from './cli.js';
import { cliSandbox, ev } from './test-support/run.js';

/** `nhagiao serve` in process: resolves with its address once it listens. */
const startServe = (dir: string, signal: AbortSignal, args: readonly string[] = []) => {
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
  const done = runCli(['serve', '--port', '0', '--data-dir', dir, ...args], {
    stdout: new PassThrough(),
    stderr,
    stdin: Readable.from(['']),
    env: {},
    signal,
  });
  return { address, done, stderr: () => text };
};

describe('nhagiao serve', () => {
  const box = cliSandbox();
  afterAll(() => box.cleanup());

  it('serves the dashboard and the API; a key posts an event and a reporter sees the figure move', async () => {
    const history = [
      ev('UnitRegistered', {
        unitId: 'cd',
        name: 'Trường Cao đẳng',
        kind: 'college',
        area: 'a1',
        registeredOn: '2005-01-01',
      }),
      ev('TeacherRegistered', { teacherId: 't1', fullName: 'Lường Thị Hà' }),
      ev('TeacherHired', {
        teacherId: 't1',
        unitId: 'cd',
        employment: 'permanent',
        hiredOn: '2020-01-01',
        levels: ['college'],
        mode: 'theory',
      }),
    ];
    expect((await box.run(['import', box.file(history)])).code).toBe(0);
    const integrator = (
      await box.run(['keys', 'create', '--role', 'integrator', '--units', 'cd'])
    ).stdout.trim();
    const reporter = (await box.run(['keys', 'create', '--role', 'reporter'])).stdout.trim();
    expect((await box.run(['keys', 'list'])).stdout).toContain('integrator');

    const controller = new AbortController();
    const serve = startServe(box.dir, controller.signal);
    try {
      const base = await serve.address;
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
      const figure = async () => {
        const r = await fetch(`${base}/v1/indicators?asOf=2025-12-31&indicator=master-or-above`, {
          headers: { authorization: `Bearer ${reporter}` },
        });
        const body = (await r.json()) as { figures: { numerator: number; denominator: number }[] };
        return body.figures[0];
      };
      expect(await figure()).toMatchObject({ numerator: 0, denominator: 1 });
      const post = await fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${integrator}`, 'content-type': 'application/json' },
        body: JSON.stringify(
          ev('DegreeAwarded', {
            teacherId: 't1',
            degreeId: 'd1',
            level: 'master',
            field: 'Điện',
            institution: 'ĐH Thái Nguyên',
            awardedOn: '2024-06-01',
          }),
        ),
      });
      expect(post.status).toBe(200);
      expect(await figure()).toMatchObject({ numerator: 1, denominator: 1 });
      const forbidden = await fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${reporter}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(forbidden.status).toBe(403);
    } finally {
      controller.abort();
      expect(await serve.done).toBe(0);
    }
  });

  it('refuses a second writer while serve holds the store, with a clear message', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-serve-'));
    const controller = new AbortController();
    const serve = startServe(dir, controller.signal);
    try {
      await serve.address;
      const out = new PassThrough();
      const err = new PassThrough();
      let stderr = '';
      err.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      const code = await runCli(['demo', '--teachers', '5', '--data-dir', dir], {
        stdout: out,
        stderr: err,
        stdin: Readable.from(['']),
        env: {},
      });
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/lock|writer/i);
    } finally {
      controller.abort();
      await serve.done;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs a 500 with the request id its answer names', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-serve-'));
    const controller = new AbortController();
    const serve = startServe(dir, controller.signal);
    try {
      const base = await serve.address;
      const admin = await createKey(dir, 'admin');
      // A quarantine entry damaged on disk: reading it fails inside the server.
      const db = new Database(path.join(dir, 'quarantine.sqlite'));
      db.prepare("INSERT INTO quarantine (actor, entry) VALUES ('', '{damaged')").run();
      db.close();
      const res = await fetch(`${base}/v1/quarantine`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(res.status).toBe(500);
      const requestId = res.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code).toBe('internal');
      expect(body.message).toContain(requestId);
      expect(body.message).not.toMatch(/JSON|position|damaged/);
      const logged = serve
        .stderr()
        .split('\n')
        .find((l) => l.includes(' error request failed'));
      expect(logged).toContain(`"reqId":"${requestId}"`);
      expect(logged).toContain('SyntaxError');
    } finally {
      controller.abort();
      await serve.done;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [[], { plain: false, forwardedHttps: false }],
    [['--secure-cookie'], { plain: true, forwardedHttps: true }],
    [['--trust-proxy'], { plain: false, forwardedHttps: true }],
  ])('serve %j marks the session cookie Secure as told', async (args, secure) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-serve-'));
    const controller = new AbortController();
    const serve = startServe(dir, controller.signal, args);
    try {
      const base = await serve.address;
      const key = await createKey(dir, 'reporter');
      const cookieOf = async (headers: Record<string, string>) => {
        const res = await fetch(`${base}/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ key }),
        });
        expect(res.status).toBe(200);
        return res.headers.get('set-cookie') ?? '';
      };
      expect((await cookieOf({})).includes('Secure')).toBe(secure.plain);
      expect((await cookieOf({ 'x-forwarded-proto': 'https' })).includes('Secure')).toBe(
        secure.forwardedHttps,
      );
    } finally {
      controller.abort();
      await serve.done;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts wrong keys at the dashboard sign-in with the failed authentications of /v1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-serve-'));
    const controller = new AbortController();
    const serve = startServe(dir, controller.signal);
    try {
      const base = await serve.address;
      const key = await createKey(dir, 'reporter');
      const signIn = (secret: string) =>
        fetch(`${base}/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ key: secret }),
        });
      for (let i = 0; i < 29; i++) expect((await signIn(`wrong-${i}`)).status).toBe(401);
      const api = await fetch(`${base}/v1/status`, { headers: { authorization: 'Bearer x' } });
      expect(api.status).toBe(401);
      // 30 failures a minute from one address: the next sign-in is refused, right key or not.
      const refused = await signIn(key);
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { code: string }).code).toBe('rate-limited');
    } finally {
      controller.abort();
      await serve.done;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A key made with `nhagiao keys create` on the data dir (the key file allows it while serve runs). */
const createKey = async (dir: string, role: string): Promise<string> => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const code = await runCli(['keys', 'create', '--role', role, '--data-dir', dir], {
    stdout: out,
    stderr: new PassThrough(),
    stdin: Readable.from(['']),
    env: {},
  });
  expect(code).toBe(0);
  return text.trim();
};
