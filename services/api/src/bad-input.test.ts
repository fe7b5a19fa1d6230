import { randomUUID } from 'node:crypto';
import { StoreUnavailableError } from '@nhagiao/eventstore';
import { buildServer } from './server.js';
import { CENTRE_A, COLLEGE, envelope, setupEvents, teacherAt } from './test-support/fixtures.js';
import { type HttpRequest, type HttpResponse, listenForTests } from './test-support/http.js';
import { type Stack, openStack } from './test-support/stack.js';

type Json = Record<string, unknown>;

/** A response body that gives away code locations or a stack. */
const STACK_TRACE = /\n\s+at |\.ts:\d+|\.js:\d+|node_modules|Error:/;

const expectError = (res: HttpResponse, status: number, code?: string): Json => {
  expect({ status: res.statusCode, body: res.body }).toEqual({ status, body: expect.any(String) });
  expect(res.body).not.toMatch(STACK_TRACE);
  const body = res.json<Json>();
  expect(body).toEqual(
    expect.objectContaining({
      code: code ?? expect.any(String),
      message: expect.any(String),
      details: expect.any(Array),
    }),
  );
  return body;
};

describe('bad input changes nothing', () => {
  let stack: Stack;
  let http: (request: HttpRequest) => Promise<HttpResponse>;
  let admin: string;
  let centreA: string;
  let reporter: string;
  const accepted: string[] = [];

  const post = (secret: string, payload: string, headers: Record<string, string> = {}) =>
    http({
      method: 'POST',
      url: '/v1/events',
      headers: {
        authorization: `Bearer ${secret}`,
        'content-type': 'application/json',
        ...headers,
      },
      payload,
    });
  const postEvents = async (
    secret: string,
    events: readonly { id: string }[],
    headers: Record<string, string> = {},
  ) => {
    const res = await post(secret, JSON.stringify(events), headers);
    if (res.statusCode === 200) accepted.push(...events.map((e) => e.id));
    return res;
  };
  const figures = async () =>
    (
      await http({
        url: '/v1/indicators?asOf=2025-12-31&by=unit',
        headers: { authorization: `Bearer ${reporter}` },
      })
    ).body;
  const storedIds = async () => {
    const ids: string[] = [];
    for await (const e of stack.store.readAll()) ids.push(e.id);
    return ids.sort();
  };
  const hire = (teacherId: string, hiredOn: unknown) => ({
    id: randomUUID(),
    type: 'TeacherHired',
    data: {
      teacherId,
      unitId: CENTRE_A,
      employment: 'permanent',
      hiredOn,
      levels: ['elementary'],
      mode: 'practice',
    },
  });
  let figuresBefore: string;

  beforeAll(async () => {
    stack = await openStack({ bodyBytes: 256 * 1024, batchEvents: 50 });
    http = await listenForTests(stack.app);
    admin = stack.keys.create({ role: 'admin' }).secret;
    centreA = stack.keys.create({ role: 'integrator', units: [CENTRE_A] }).secret;
    reporter = stack.keys.create({ role: 'reporter' }).secret;
    const setup = [...setupEvents(), ...teacherAt('gv-a-1', CENTRE_A, 'Lý Thị Cúc')];
    expect((await postEvents(admin, setup)).statusCode).toBe(200);
    figuresBefore = await figures();
  });

  afterAll(async () => {
    // After everything below, the store holds exactly the accepted events and
    // no figure moved (the accepted ones are registrations, which count nowhere).
    expect(await storedIds()).toEqual([...accepted].sort());
    expect(await figures()).toBe(figuresBefore);
    await stack.close();
  });

  it('malformed JSON is 400 naming the problem', async () => {
    const body = expectError(await post(centreA, '{"id": "x", "type": '), 400, 'invalid-json');
    expect(body.details).toEqual([{ path: '', message: expect.any(String) }]);
  });

  it('a malformed NDJSON line is reported by its line number', async () => {
    const good = teacherAt('gv-n', CENTRE_A, 'Nông Văn Giang')[0];
    const res = await post(centreA, `${JSON.stringify(good)}\n{oops\n`, {
      'content-type': 'application/x-ndjson',
    });
    const body = expectError(res, 400, 'invalid-json');
    expect(body.details).toEqual([expect.objectContaining({ path: '[2].' })]);
  });

  it('wrong types and unknown fields are 400 with field paths', async () => {
    const body = expectError(
      await postEvents(centreA, [hire('gv-a-1', 20250101)]),
      400,
      'invalid-envelope',
    );
    expect(body.details).toEqual([
      { path: '[1].data.hiredOn', message: expect.stringMatching(/text/) },
    ]);
    const extra = {
      ...envelope('TeacherRegistered', { teacherId: 'gv-y', fullName: 'Y' }),
      salary: 1,
    };
    const unknown = expectError(await postEvents(centreA, [extra]), 400);
    expect(unknown.details).toEqual([expect.objectContaining({ path: '[1].salary' })]);
    const inData = {
      id: randomUUID(),
      type: 'TeacherRegistered',
      data: { teacherId: 'gv-y', fullName: 'Y', salary: 1 },
    };
    expect(expectError(await postEvents(centreA, [inData]), 400).details).toEqual([
      expect.objectContaining({ path: '[1].data.salary' }),
    ]);
  });

  it.each([
    '2025-02-30',
    '2025-13-01',
    '2025-05-12T00:00:00+07:00',
    '2025-05-12+07:00',
    '12/05/2025',
  ])('the date %s is 400', async (date) => {
    const body = expectError(await postEvents(centreA, [hire('gv-date', date)]), 400);
    expect(body.details).toEqual([expect.objectContaining({ path: '[1].data.hiredOn' })]);
  });

  it('a huge string is 400, a huge body 413', async () => {
    const long = envelope('TeacherRegistered', { teacherId: 'gv-long', fullName: 'a'.repeat(600) });
    expect(expectError(await postEvents(centreA, [long]), 400).details).toEqual([
      expect.objectContaining({ path: '[1].data.fullName' }),
    ]);
    const huge = envelope('TeacherRegistered', {
      teacherId: 'gv-huge',
      fullName: 'a'.repeat(300 * 1024),
    });
    expectError(await postEvents(centreA, [huge]), 413, 'body-too-large');
  });

  it('deep nesting is 400 without parsing it', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expectError(await post(centreA, deep), 400, 'invalid-json');
    const inMetadata = `{"id":"${randomUUID()}","type":"TeacherRegistered","data":{"teacherId":"gv-d","fullName":"D"},"metadata":${'{"a":'.repeat(50)}"x"${'}'.repeat(50)}}`;
    expectError(await post(centreA, inMetadata), 400, 'invalid-json');
  });

  it('keeps Vietnamese names as sent, stored in NFC (an NFD name too), with emoji and RTL text', async () => {
    const names = {
      'gv-nfc': 'Nguyễn Thị Ánh'.normalize('NFC'),
      'gv-nfd': 'Nguyễn Thị Ánh'.normalize('NFD'),
      'gv-emoji': 'Hà Văn Đức 👩‍🏫',
      'gv-rtl': 'Lê \u202Eأحمد\u202C Văn',
    };
    for (const [teacherId, fullName] of Object.entries(names)) {
      const res = await postEvents(admin, [envelope('TeacherRegistered', { teacherId, fullName })]);
      expect(res.statusCode).toBe(200);
    }
    for (const [teacherId, fullName] of Object.entries(names)) {
      const events = (
        await http({
          url: `/v1/teachers/${teacherId}/events`,
          headers: { authorization: `Bearer ${admin}` },
        })
      ).json<{ events: { data: { fullName: string } }[] }>().events;
      expect(events[0]?.data.fullName).toBe(fullName.normalize('NFC'));
    }
  });

  it('a NUL character is 400', async () => {
    const nul = envelope('TeacherRegistered', { teacherId: 'gv-nul', fullName: 'Lò\u0000 Văn' });
    expect(expectError(await postEvents(centreA, [nul]), 400).details).toEqual([
      expect.objectContaining({ path: '[1].data.fullName', message: expect.stringMatching(/NUL/) }),
    ]);
  });

  it('an id sent again with other content is 409, and the stored event stays', async () => {
    const [registered] = teacherAt('gv-a-1', CENTRE_A, 'Lý Thị Cúc');
    const stored = (await stack.store.readStream('teacher-gv-a-1')[Symbol.asyncIterator]().next())
      .value as { id: string };
    const other = {
      ...registered,
      id: stored.id,
      data: { teacherId: 'gv-a-1', fullName: 'Someone Else' },
    };
    expectError(await postEvents(centreA, [other]), 409, 'id-conflict');
  });

  it('an event about another unit is 403', async () => {
    expectError(
      await postEvents(centreA, teacherAt('gv-college-2', COLLEGE, 'Triệu Văn Hải')),
      403,
      'forbidden',
    );
  });

  it('a domain rule rejection is 422', async () => {
    const completion = envelope('CourseCompleted', {
      teacherId: 'gv-a-1',
      programmeId: 'cds-2025',
      completedOn: '2025-05-12',
    });
    expectError(await postEvents(centreA, [completion]), 422, 'completion-without-enrolment');
  });

  it('a wrong content type is 415, too many events 413, an empty batch 400', async () => {
    expectError(
      await post(centreA, 'hello', { 'content-type': 'text/plain' }),
      415,
      'unsupported-media-type',
    );
    const many = Array.from({ length: 51 }, (_, i) =>
      envelope('TeacherRegistered', { teacherId: `gv-m${i}`, fullName: 'M' }),
    );
    expectError(await postEvents(centreA, many), 413, 'batch-too-large');
    expectError(await post(centreA, '[]'), 400);
  });

  it('wrong query parameters are 400 naming the parameter', async () => {
    const res = await http({
      url: '/v1/indicators?asOf=2025-02-30&by=district',
      headers: { authorization: `Bearer ${reporter}` },
    });
    const body = expectError(res, 400, 'invalid-request');
    expect((body.details as { path: string }[]).map((d) => d.path).sort()).toEqual([
      'querystring.asOf',
      'querystring.by',
    ]);
  });

  it('replays a response under an Idempotency-Key, refuses it for other content, and refuses it once the key is revoked', async () => {
    const { id, secret } = stack.keys.create({ role: 'integrator', units: [CENTRE_A] });
    const events = [
      envelope('TeacherRegistered', { teacherId: 'gv-idem', fullName: 'Vi Thị Kim' }),
    ];
    const first = await postEvents(secret, events, { 'idempotency-key': 'batch-1' });
    expect(first.statusCode).toBe(200);
    const replay = await post(secret, JSON.stringify(events), { 'idempotency-key': 'batch-1' });
    expect(replay.body).toBe(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const other = [
      envelope('TeacherRegistered', { teacherId: 'gv-idem2', fullName: 'Vi Văn Lâm' }),
    ];
    expectError(
      await postEvents(secret, other, { 'idempotency-key': 'batch-1' }),
      409,
      'idempotency-key-reused',
    );
    stack.keys.revoke(id);
    expectError(
      await post(secret, JSON.stringify(events), { 'idempotency-key': 'batch-1' }),
      401,
      'unauthenticated',
    );
  });
});

describe('limits and failures', () => {
  it('answers 429 with Retry-After past the rate of a key, counted per key', async () => {
    const stack = await openStack({ requestsPerWindow: 3, windowMs: 60_000 });
    try {
      const http = await listenForTests(stack.app);
      const a = stack.keys.create({ role: 'reporter' }).secret;
      const b = stack.keys.create({ role: 'reporter' }).secret;
      const call = (secret: string) =>
        http({ url: '/v1/units', headers: { authorization: `Bearer ${secret}` } });
      for (let i = 0; i < 3; i++) expect((await call(a)).statusCode).toBe(200);
      const limited = await call(a);
      expectError(limited, 429, 'rate-limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await call(b)).statusCode).toBe(200);
    } finally {
      await stack.close();
    }
  });

  it('answers 503 when the store is unavailable and 500 without a stack trace on a bug', async () => {
    const stack = await openStack();
    try {
      const failing = await buildServer({
        store: {
          ...stack.store,
          head: () =>
            Promise.reject(
              new StoreUnavailableError('database file /secret/events.sqlite is gone'),
            ),
        },
        readModel: {
          ...stack.readModel,
          figures: () =>
            Promise.reject(
              new TypeError("Cannot read properties of undefined (reading 'x') at /srv/x.ts:12"),
            ),
          checkpoint: (p) => stack.readModel.checkpoint(p),
        },
        ingestor: { ingest: () => Promise.reject(new Error('boom')) },
        keys: stack.keys,
        plan: stack.plan,
        logger: { info: () => {}, warn: () => {}, error: (obj) => stack.logged.push(obj) },
      });
      const http = await listenForTests(failing);
      stack.closeAlso(failing);
      const key = stack.keys.create({ role: 'admin' }).secret;
      const auth = { authorization: `Bearer ${key}` };
      const unavailable = expectError(
        await http({ url: '/v1/status', headers: auth }),
        503,
        'store-unavailable',
      );
      expect(unavailable.message).not.toMatch(/secret/);
      const bug = await http({ url: '/v1/indicators', headers: auth });
      expect(expectError(bug, 500, 'internal').message).not.toMatch(/properties|srv/);
      // Both are logged whole for the operator, with the request id.
      expect(stack.logged.map((l) => (l as { err: Error }).err.name)).toEqual([
        'StoreUnavailableError',
        'TypeError',
      ]);
    } finally {
      await stack.close();
    }
  });
});
