import {
  CENTRE_A,
  CENTRE_B,
  COLLEGE,
  envelope,
  setupEvents,
  teacherAt,
} from './test-support/fixtures.js';
import { type HttpRequest, type HttpResponse, listenForTests } from './test-support/http.js';
import { type Stack, openStack } from './test-support/stack.js';

type Json = Record<string, unknown>;

describe('HTTP API', () => {
  let stack: Stack;
  let admin: string;
  let centreA: string;
  let reporter: string;
  let auditor: string;
  let http: (request: HttpRequest) => Promise<HttpResponse>;

  const post = (secret: string, body: unknown, headers: Record<string, string> = {}, query = '') =>
    http({
      method: 'POST',
      url: `/v1/events${query}`,
      headers: {
        authorization: `Bearer ${secret}`,
        'content-type': 'application/json',
        ...headers,
      },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (secret: string, url: string, headers: Record<string, string> = {}) =>
    http({ method: 'GET', url, headers: { authorization: `Bearer ${secret}`, ...headers } });
  const json = (res: HttpResponse): Json => res.json<Json>();

  beforeAll(async () => {
    stack = await openStack();
    http = await listenForTests(stack.app);
    admin = stack.keys.create({ role: 'admin' }).secret;
    centreA = stack.keys.create({
      role: 'integrator',
      units: [CENTRE_A],
      label: 'Ba Bể register',
    }).secret;
    reporter = stack.keys.create({ role: 'reporter' }).secret;
    auditor = stack.keys.create({ role: 'auditor' }).secret;
    const res = await post(admin, setupEvents());
    expect(res.statusCode).toBe(200);
  });
  afterAll(() => stack.close());

  it('accepts a batch, reports each event with position and revision as decimal strings', async () => {
    const events = teacherAt('gv-a-1', CENTRE_A, 'Lý Thị Cúc');
    const res = await post(centreA, events);
    expect(res.statusCode).toBe(200);
    const body = json(res);
    expect(body).toMatchObject({ appended: 2, duplicates: 0, rejected: 0 });
    expect(body.items).toEqual([
      expect.objectContaining({
        line: 1,
        status: 'accepted',
        stream: 'teacher-gv-a-1',
        revision: '0',
        position: expect.stringMatching(/^\d+$/),
      }),
      expect.objectContaining({ line: 2, status: 'accepted', revision: '1' }),
    ]);
    // The same events again are duplicates, not new events.
    const again = json(await post(centreA, events));
    expect(again).toMatchObject({ appended: 0, duplicates: 2 });
  });

  it("records the submitting key's identity in each accepted event", async () => {
    const id = stack.keys.list().find((k) => k.label === 'Ba Bể register')?.id;
    const res = await get(auditor, '/v1/teachers/gv-a-1/events');
    expect(res.statusCode).toBe(200);
    const events = json(res).events as { metadata: Record<string, string> }[];
    expect(events).toHaveLength(2);
    for (const e of events) expect(e.metadata.submittedBy).toBe(id);
  });

  it('accepts NDJSON, numbering its lines', async () => {
    const [registered, hired] = teacherAt('gv-a-2', CENTRE_A, 'Đàm Văn Dũng');
    const res = await post(centreA, `${JSON.stringify(registered)}\n\n${JSON.stringify(hired)}\n`, {
      'content-type': 'application/x-ndjson',
    });
    expect(res.statusCode).toBe(200);
    expect((json(res).items as Json[]).map((i) => i.line)).toEqual([1, 3]);
  });

  describe('role boundaries', () => {
    it('an integrator of one centre cannot hire into the college', async () => {
      const [registered, hired] = teacherAt('gv-x', COLLEGE, 'Trần Văn Em');
      const res = await post(centreA, [registered, hired]);
      expect(res.statusCode).toBe(403);
      const body = json(res);
      expect(body.code).toBe('forbidden');
      expect(body.details).toEqual([expect.objectContaining({ path: '[2].data.unitId' })]);
      // All or nothing: the registration of the same batch was not kept either.
      expect((await get(auditor, '/v1/teachers/gv-x')).statusCode).toBe(404);
    });

    it("an integrator cannot complete a course for another centre's teacher", async () => {
      const res = await post(centreA, [
        envelope('TeacherEnrolled', {
          teacherId: 'gv-b-1',
          programmeId: 'cds-2025',
          enrolledOn: '2025-03-01',
        }),
      ]);
      expect(res.statusCode).toBe(403);
      expect(json(res).message).toMatch(/1 of 1 events rejected/);
    });

    it("an integrator cannot read another centre's teacher, but reads its own", async () => {
      expect((await get(centreA, '/v1/teachers/gv-b-1')).statusCode).toBe(403);
      const own = await get(centreA, '/v1/teachers/gv-a-1');
      expect(own.statusCode).toBe(200);
      expect(json(own)).toMatchObject({ fullName: 'Lý Thị Cúc', currentUnitId: CENTRE_A });
    });

    it('a reporter reads figures but no teacher: no names, no ids, no history', async () => {
      expect((await get(reporter, '/v1/teachers/gv-a-1')).statusCode).toBe(403);
      expect((await get(reporter, '/v1/teachers/gv-a-1/events')).statusCode).toBe(403);
      expect(
        (await get(reporter, '/v1/indicators/trained-digital-transformation/history')).statusCode,
      ).toBe(403);
      const explain = await get(
        reporter,
        '/v1/indicators/trained-digital-transformation/explain?asOf=2025-12-31',
      );
      expect(explain.statusCode).toBe(200);
      expect(explain.body).not.toMatch(/gv-|Nguyễn|Hoàng|teachers/);
      expect(json(explain)).toMatchObject({ denominator: 4, numerator: 0 });
      const audited = json(
        await get(auditor, '/v1/indicators/trained-digital-transformation/explain?asOf=2025-12-31'),
      );
      expect(audited.teachers).toHaveLength(4);
    });

    it('a reporter cannot write', async () => {
      const res = await post(reporter, teacherAt('gv-r', CENTRE_A, 'Ma Văn Phúc'));
      expect(res.statusCode).toBe(403);
      expect(json(res)).toMatchObject({ code: 'forbidden' });
    });

    it('no key is 401, an unknown key is 401', async () => {
      const none = await http({ method: 'GET', url: '/v1/indicators' });
      expect(none.statusCode).toBe(401);
      expect(json(none)).toEqual({
        code: 'unauthenticated',
        message: expect.any(String),
        details: [],
      });
      expect((await get('ngk_not-a-key', '/v1/indicators')).statusCode).toBe(401);
    });
  });

  it('moves the figure a reporter reads when an integrator posts a completion', async () => {
    const figure = async () =>
      (
        json(
          await get(
            reporter,
            `/v1/indicators?asOf=2025-12-31&by=unit&indicator=trained-digital-transformation`,
          ),
        ).figures as Json[]
      ).find((f) => f.scope === `unit:${CENTRE_A}`);
    expect(await figure()).toMatchObject({ numerator: 0, denominator: 2, value: 0, target: 0.7 });
    const res = await post(centreA, [
      envelope('TeacherEnrolled', {
        teacherId: 'gv-a-1',
        programmeId: 'cds-2025',
        enrolledOn: '2025-03-01',
      }),
      envelope('CourseCompleted', {
        teacherId: 'gv-a-1',
        programmeId: 'cds-2025',
        completedOn: '2025-05-12',
      }),
    ]);
    expect(res.statusCode).toBe(200);
    expect(await figure()).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 });
  });

  it('answers figures as CSV when asked', async () => {
    const res = await get(reporter, '/v1/indicators?asOf=2025-12-31&by=unit', {
      accept: 'text/csv',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe('indicator,scope,asOf,numerator,denominator,value,target');
    expect(lines).toContain(
      `trained-digital-transformation,unit:${CENTRE_A},2025-12-31,1,2,0.5,0.7`,
    );
  });

  it('serves history with the events that moved a figure to an auditor', async () => {
    const res = await get(
      auditor,
      `/v1/indicators/trained-digital-transformation/history?scope=unit:${CENTRE_A}`,
    );
    expect(res.statusCode).toBe(200);
    const rows = json(res).rows as Json[];
    expect(
      rows.some(
        (r) => r.teacherId === 'gv-a-1' && r.dNumerator === 1 && r.validFrom === '2025-05-12',
      ),
    ).toBe(true);
  });

  it('serves units, the plan, status and the quarantine', async () => {
    const units = json(await get(reporter, '/v1/units?asOf=2025-01-01')).units as Json[];
    expect(units.map((u) => u.unitId)).toEqual([COLLEGE, CENTRE_A, CENTRE_B].sort());
    const plan = json(await get(reporter, '/v1/plans/bac-kan-423-2024'));
    expect((plan.indicators as Json[]).find((i) => i.code === 'master-or-above')?.targets).toEqual([
      { year: 2025, target: 0.43, judgedAsOf: '2025-12-31' },
      { year: 2030, target: 0.44, judgedAsOf: '2030-12-31' },
    ]);
    expect((await get(reporter, '/v1/plans/no-such-plan')).statusCode).toBe(404);
    const status = json(await get(reporter, '/v1/status'));
    expect(status.head).toBe(status.checkpoints && (status.checkpoints as Json).ledger);
    expect(status.lag).toEqual({ ledger: '0' });
    await post(centreA, [{ id: 'not-a-uuid', type: 'TeacherLeft', data: {} }], {}, '?partial=true');
    const quarantine = json(await get(centreA, '/v1/quarantine')).entries as Json[];
    expect(quarantine[0]).toMatchObject({ code: 'invalid-envelope' });
    expect((await get(reporter, '/v1/quarantine')).statusCode).toBe(403);
  });

  it('answers an unknown route and an unknown indicator with the error shape', async () => {
    const route = await get(reporter, '/v1/nothing');
    expect(route.statusCode).toBe(404);
    expect(json(route)).toMatchObject({ code: 'not-found', details: [] });
    const indicator = await get(reporter, '/v1/indicators/nope/explain');
    expect(indicator.statusCode).toBe(404);
  });
});
