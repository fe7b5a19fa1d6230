import { setupEvents } from './test-support/fixtures.js';
import { type HttpRequest, type HttpResponse, listenForTests } from './test-support/http.js';
import { type Stack, openStack } from './test-support/stack.js';

type Json = Record<string, unknown>;

describe('bad queries and headers get the one error shape, never a 500', () => {
  let stack: Stack;
  let http: (request: HttpRequest) => Promise<HttpResponse>;
  let admin: string;
  let reporter: string;

  beforeAll(async () => {
    stack = await openStack();
    http = await listenForTests(stack.app);
    admin = stack.keys.create({ role: 'admin' }).secret;
    reporter = stack.keys.create({ role: 'reporter' }).secret;
    const res = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      payload: JSON.stringify(setupEvents()),
    });
    expect(res.statusCode).toBe(200);
  });
  afterAll(() => stack.close());

  const get = (url: string, secret = admin, headers: Record<string, string> = {}) =>
    http({ url, headers: { authorization: `Bearer ${secret}`, ...headers } });

  const BEFORE = 'knownAt=2000-01-01T00:00:00Z';

  it('a knownAt before the first event gives the empty state: every figure zero', async () => {
    for (const by of ['province', 'unit', 'area', 'kind']) {
      for (const secret of [admin, reporter]) {
        const res = await get(`/v1/indicators?asOf=2025-12-31&by=${by}&${BEFORE}`, secret);
        expect(res.statusCode).toBe(200);
        const body = res.json<{ knownAt: string; figures: Json[] }>();
        expect(body.knownAt).toBe('-1');
        for (const f of body.figures) {
          expect(f).toEqual(expect.objectContaining({ numerator: 0, denominator: 0, value: null }));
        }
      }
    }
    const province = (await get(`/v1/indicators?asOf=2025-12-31&${BEFORE}`)).json<{
      figures: Json[];
    }>();
    expect(province.figures).toHaveLength(stack.plan.indicators.length);
    const csv = await get(`/v1/indicators?${BEFORE}`, reporter, { accept: 'text/csv' });
    expect(csv.statusCode).toBe(200);
    for (const scope of ['province', 'unit:cd-bac-kan', 'area:na-ri']) {
      const explain = await get(`/v1/indicators/master-or-above/explain?scope=${scope}&${BEFORE}`);
      expect(explain.statusCode).toBe(200);
      expect(explain.json()).toEqual(
        expect.objectContaining({ knownAt: '-1', numerator: 0, denominator: 0, teachers: [] }),
      );
      const history = await get(`/v1/indicators/master-or-above/history?scope=${scope}&${BEFORE}`);
      expect(history.statusCode).toBe(200);
      expect(history.json()).toEqual(expect.objectContaining({ rows: [] }));
    }
    expect(stack.logged).toEqual([]);
  });

  it.each([
    ['/v1/indicators?knownAt=yesterday', 'querystring.knownAt'],
    ['/v1/indicators?knownAt=2025-02-30T00:00:00Z', 'querystring.knownAt'],
    ['/v1/indicators?asOf=2025-13-01', 'querystring.asOf'],
    ['/v1/indicators?by=teacher', 'querystring.by'],
    ['/v1/indicators?asOf=2025-01-01&asOf=2025-02-01', 'querystring.asOf'],
    ['/v1/indicators?indicator[]=x', 'querystring'],
    ['/v1/indicators/master-or-above/explain?scope=unit:', 'querystring.scope'],
    ['/v1/quarantine?limit=100000', 'querystring.limit'],
    ['/v1/reports?year=abc', 'querystring.year'],
    ['/v1/indicators?%zz=1', undefined],
    ['/v1/indicators/%zz/explain', undefined],
  ])('%s is 400 in the one error shape', async (url, path) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    const body = res.json<Json>();
    expect(body).toEqual({
      code: expect.any(String),
      message: expect.any(String),
      details: expect.any(Array),
    });
    if (path !== undefined) {
      expect(body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining(path) })]),
      );
    }
    expect(stack.logged).toEqual([]);
  });

  it('bad headers are answered in the one error shape', async () => {
    const bad = await http({
      method: 'POST',
      url: '/v1/events',
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
        'idempotency-key': 'k'.repeat(300),
      },
      payload: '[]',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      code: 'invalid-request',
      message: expect.any(String),
      details: [expect.objectContaining({ path: 'headers.idempotency-key' })],
    });
    for (const headers of [
      { authorization: 'Basic abc' },
      { authorization: 'Bearer ' },
      { 'x-api-key': '' },
    ]) {
      const res = await http({ url: '/v1/status', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        code: 'unauthenticated',
        message: expect.any(String),
        details: [],
      });
    }
    const mediaType = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(mediaType.statusCode).toBe(415);
    expect(mediaType.json()).toEqual(expect.objectContaining({ code: 'unsupported-media-type' }));
  });

  it('every answer carries its request id', async () => {
    const res = await get('/v1/status');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await http({ url: '/v1/nowhere' });
    expect(missing.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
