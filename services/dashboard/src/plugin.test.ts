import { sessionKeyFromRequest } from './plugin.js';
import { type Stack, openStack } from './test-support/stack.js';

describe('dashboard plugin', () => {
  let stack: Stack;
  let reporter: { id: string; secret: string };

  const call = (path: string, init: RequestInit = {}) => fetch(stack.address + path, init);
  const login = async (key: string) =>
    call('/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key }),
    });
  const cookieOf = (res: Response): string =>
    (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

  beforeAll(async () => {
    stack = await openStack({
      beforeListen: (app) =>
        app.get('/probe', async (request) => ({ key: sessionKeyFromRequest(request) ?? null })),
    });
    reporter = stack.keys.create({ role: 'reporter' });
  });
  afterAll(() => stack.close());

  it('serves the page and its own script and style, forbidding anything from elsewhere', async () => {
    const page = await call('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<html lang="vi">');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = await call('/assets/app.js');
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect((await script.text()).length).toBeGreaterThan(1000);
    const again = await call('/assets/app.css', {
      headers: { 'if-none-match': (await call('/assets/app.css')).headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);
  });

  it('refuses an unknown key and a body without one, setting no cookie', async () => {
    const bad = await login('not-a-key');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    const empty = await call('/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(empty.status).toBe(400);
    const broken = await call('/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(broken.status).toBe(400);
  });

  it('exchanges a key for an HttpOnly, SameSite=Strict cookie that reads the API but does not write', async () => {
    const res = await login(reporter.secret);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      /^nhagiao_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+/,
    );
    const body = await res.text();
    expect(body).not.toContain(reporter.secret);
    expect(JSON.parse(body)).toMatchObject({ role: 'reporter', planId: 'bac-kan-423-2024' });
    const cookie = cookieOf(res);

    const figures = await call('/v1/indicators?asOf=2025-06-30', { headers: { cookie } });
    expect(figures.status).toBe(200);
    expect(((await figures.json()) as { figures: unknown[] }).figures).toHaveLength(6);
    expect(
      ((await (await call('/probe', { headers: { cookie } })).json()) as { key: string }).key,
    ).toBe(reporter.secret);

    // A session only reads: a write with the cookie alone carries no key.
    const write = await call('/v1/events', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '[]',
    });
    expect(write.status).toBe(401);
    // Without the cookie the API still wants a key.
    expect((await call('/v1/indicators')).status).toBe(401);
  });

  it('ends the session on logout and when the key is revoked', async () => {
    const cookie = cookieOf(await login(reporter.secret));
    const live = await call('/session', { headers: { cookie } });
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ signedIn: true, role: 'reporter' });
    const out = await call('/session', { method: 'DELETE', headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    // Signed out is an answer, not an error: the page logs no 401 for it.
    const ended = await call('/session', { headers: { cookie } });
    expect(ended.status).toBe(200);
    expect(await ended.json()).toEqual({ signedIn: false });
    expect((await call('/v1/indicators', { headers: { cookie } })).status).toBe(401);

    const other = stack.keys.create({ role: 'auditor' });
    const cookie2 = cookieOf(await login(other.secret));
    expect((await call('/session', { headers: { cookie: cookie2 } })).status).toBe(200);
    stack.keys.revoke(other.id);
    expect(await (await call('/session', { headers: { cookie: cookie2 } })).json()).toEqual({
      signedIn: false,
    });
    expect((await call('/v1/indicators', { headers: { cookie: cookie2 } })).status).toBe(401);
  });
});
