import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BodyMeter, parseJsonBody, parseNdjson } from './routes/body.js';
import { CENTRE_A, envelope } from './test-support/fixtures.js';
import { type HttpRequest, type HttpResponse, listenForTests } from './test-support/http.js';
import { type Stack, openStack } from './test-support/stack.js';

/**
 * Sends the head of a request and only the first part of its body, then waits
 * for an answer: a server that reads the whole body before refusing it never
 * answers (the rest never comes), one that counts as it reads answers at once.
 */
const sendPart = (
  address: string,
  head: Record<string, string>,
  declaredLength: number,
  part: string,
): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const url = new URL(address);
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer before the rest of the body was sent'));
    }, 10_000);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const end = text.indexOf('\r\n\r\n');
      if (status !== null && end !== -1 && text.length > end + 4 && text.trimEnd().endsWith('}')) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ status: Number(status[1]), text: text.slice(end + 4) });
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    const headers = Object.entries({ ...head, 'content-length': String(declaredLength) })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(`POST /v1/events HTTP/1.1\r\nhost: ${url.host}\r\n${headers}\r\n${part}`);
  });

describe('bounded work per request', () => {
  let stack: Stack;
  let http: (request: HttpRequest) => Promise<HttpResponse>;
  let address: string;
  let admin: string;

  beforeAll(async () => {
    stack = await openStack();
    http = await listenForTests(stack.app);
    address = `http://127.0.0.1:${(stack.app.server.address() as { port: number }).port}`;
    admin = stack.keys.create({ role: 'admin' }).secret;
  });
  afterAll(() => stack.close());

  const auth = () => ({ authorization: `Bearer ${admin}` });

  it('refuses an NDJSON body with more lines than the cap before reading the rest of it', async () => {
    const lines = 'x\n'.repeat(6000);
    const res = await sendPart(
      address,
      { ...auth(), 'content-type': 'application/x-ndjson' },
      2_000_000,
      lines,
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual(
      expect.objectContaining({ code: 'batch-too-large', details: [expect.any(Object)] }),
    );
  });

  it('refuses a JSON array with more elements than the cap before reading the rest of it', async () => {
    const res = await sendPart(
      address,
      { ...auth(), 'content-type': 'application/json' },
      2_000_000,
      `[${'{"a":[1,2,"x,y"]},'.repeat(5001)}`,
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual(expect.objectContaining({ code: 'batch-too-large' }));
  });

  it('refuses a body whose declared length is over the limit without reading it', async () => {
    const res = await sendPart(
      address,
      { ...auth(), 'content-type': 'application/json' },
      9 * 1024 * 1024,
      '[',
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual(expect.objectContaining({ code: 'body-too-large' }));
  });

  it('answers a 2 MB bomb of a million short lines with 413 and keeps the event loop free', async () => {
    const bomb = 'x\n'.repeat(1_000_000);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const res = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth(), 'content-type': 'application/x-ndjson' },
      payload: bomb,
    });
    delay.disable();
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual(expect.objectContaining({ code: 'batch-too-large' }));
    // Reading every line first blocked the loop for seconds; counting as it arrives, milliseconds.
    expect(delay.max / 1e6).toBeLessThan(1000);
  });

  it('refuses an event larger than the limit before reading the rest of the body', async () => {
    const first = JSON.stringify(
      envelope('TeacherRegistered', { teacherId: 'gv-big', fullName: 'B' }),
    );
    const res = await sendPart(
      address,
      { ...auth(), 'content-type': 'application/x-ndjson' },
      1_000_000,
      `${first}\n{"id":"x","type":"TeacherRegistered","data":{"fullName":"${'a'.repeat(70 * 1024)}`,
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual({
      code: 'event-too-large',
      message: expect.stringMatching(/event 2 is larger than 65536 bytes/),
      details: [{ path: '[2]', message: expect.any(String) }],
    });
    const single = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: JSON.stringify({ id: randomUUID(), type: 'X', metadata: { a: 'a'.repeat(70_000) } }),
    });
    expect(single.statusCode).toBe(413);
    expect(single.json()).toEqual(expect.objectContaining({ code: 'event-too-large' }));
  });

  it.each([
    ['[1,,2]', '', /comma without an element/],
    ['[,1]', '', /comma without an element/],
    ['[{"a":1},]', '', /comma before the closing bracket/],
    ['[{"a":1}] x', '', /after the closing bracket/],
    ['[{"a":1},{"b":2}', '', /not closed|before its top-level array is closed/],
    ['[{"a":1},{"b":}]', '[2]', /./],
    ['[{"a":1} {"b":2}]', '[1]', /./],
    ['{"a":1', '', /./],
  ])('answers the malformed JSON %s with 400 naming where', async (payload, path, message) => {
    const res = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 'invalid-json',
      message: 'the body is not valid JSON',
      details: [{ path, message: expect.stringMatching(message) }],
    });
  });

  it('does not count blank lines or a byte-order mark as events', async () => {
    const events = Array.from({ length: 3 }, (_, i) =>
      JSON.stringify(envelope('TeacherRegistered', { teacherId: `gv-cap-${i}`, fullName: 'A' })),
    );
    const res = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth(), 'content-type': 'application/x-ndjson' },
      payload: `\uFEFF${events.join('\n\n  \r\n')}\n${'\n'.repeat(6000)}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(expect.objectContaining({ appended: 3 }));
  });
});

describe('rate limiting counts failed authentication', () => {
  let stack: Stack;
  let http: (request: HttpRequest) => Promise<HttpResponse>;

  beforeAll(async () => {
    stack = await openStack({ failedAuthPerWindow: 5, windowMs: 60_000 });
    http = await listenForTests(stack.app);
  });
  afterAll(() => stack.close());

  it('refuses an address with 429 once it has failed to authenticate too often, before checking any key', async () => {
    const valid = stack.keys.create({ role: 'reporter' }).secret;
    const revoked = stack.keys.create({ role: 'reporter' });
    stack.keys.revoke(revoked.id);
    const attempts = [
      { authorization: 'Bearer wrong-1' },
      { authorization: `Bearer ${revoked.secret}` },
      {},
      { 'x-api-key': 'wrong-2' },
      { authorization: 'Bearer wrong-3' },
    ];
    for (const [i, headers] of attempts.entries()) {
      expect((await http({ url: '/v1/status', headers })).statusCode).toBe(401);
      // A valid key from the same address works until the last allowed failure, and does not count.
      if (i < attempts.length - 1)
        expect(
          (await http({ url: '/v1/status', headers: { authorization: `Bearer ${valid}` } }))
            .statusCode,
        ).toBe(200);
    }
    const refused = await http({ url: '/v1/status', headers: { authorization: 'Bearer wrong-4' } });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toEqual({
      code: 'rate-limited',
      message: expect.stringMatching(/failed authentications/),
      details: [],
    });
    const alsoRefused = await http({
      url: '/v1/status',
      headers: { authorization: `Bearer ${valid}` },
    });
    expect(alsoRefused.statusCode).toBe(429);
  });
});

describe('the quarantine is bounded per key and read a page at a time', () => {
  let stack: Stack;
  let http: (request: HttpRequest) => Promise<HttpResponse>;

  beforeAll(async () => {
    stack = await openStack(undefined, { perActor: 5, itemChars: 300 });
    http = await listenForTests(stack.app);
  });
  afterAll(() => stack.close());

  const refused = (n: number, from: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      type: 'TeacherRegistered',
      data: { teacherId: `gv-q-${from + i}`, fullName: 'Q', salary: from + i },
    }));
  const postPartial = async (secret: string, events: unknown[]) => {
    const res = await http({
      method: 'POST',
      url: '/v1/events?partial=true',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      payload: JSON.stringify(events),
    });
    expect(res.statusCode).toBe(200);
  };
  const list = async (secret: string, query = '') =>
    (
      await http({ url: `/v1/quarantine${query}`, headers: { authorization: `Bearer ${secret}` } })
    ).json<{ entries: { line: number; item: unknown }[] }>().entries;

  it("keeps each key's newest entries only, so no key fills it or pushes out another's", async () => {
    const a = stack.keys.create({ role: 'integrator', units: [CENTRE_A] }).secret;
    const b = stack.keys.create({ role: 'integrator', units: [CENTRE_A] }).secret;
    const admin = stack.keys.create({ role: 'admin' }).secret;
    await postPartial(b, refused(2, 100));
    await postPartial(a, refused(4, 0));
    await postPartial(a, refused(4, 4));
    const ofA = await list(a);
    expect(ofA.map((e) => e.line)).toEqual([4, 3, 2, 1, 4]);
    expect(ofA.map((e) => (e.item as { data: { salary: number } }).data.salary)).toEqual([
      7, 6, 5, 4, 3,
    ]);
    expect((await list(b)).map((e) => e.line)).toEqual([2, 1]);
    const pages = [
      await list(admin, '?limit=3'),
      await list(admin, '?limit=3&offset=3'),
      await list(admin, '?limit=3&offset=6'),
    ];
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().length).toBe(7);
  });

  it('drops an entry once its event is sent again, fixed, and accepted', async () => {
    const admin = stack.keys.create({ role: 'admin' }).secret;
    const [wrong, other] = refused(2, 200);
    await postPartial(admin, [wrong, other]);
    const ids = async () =>
      (await list(admin, '?limit=1000')).map((e) => (e.item as { id: string }).id);
    expect(await ids()).toEqual(expect.arrayContaining([wrong?.id, other?.id]));
    const fixed = {
      id: (wrong as { id: string }).id,
      type: 'TeacherRegistered',
      data: { teacherId: 'gv-q-200', fullName: 'Q' },
    };
    await postPartial(admin, [fixed]);
    expect(await ids()).not.toContain(wrong?.id);
    expect(await ids()).toContain(other?.id);
  });

  it('keeps a long rejected item cut, marked so', async () => {
    const a = stack.keys.create({ role: 'integrator', units: [CENTRE_A] }).secret;
    await postPartial(a, [
      {
        id: randomUUID(),
        type: 'TeacherRegistered',
        data: { teacherId: 'x', notes: 'n'.repeat(5000) },
      },
    ]);
    const [entry] = await list(a);
    expect(entry?.item).toEqual({
      truncated: true,
      chars: expect.any(Number),
      text: expect.any(String),
    });
    expect((entry?.item as { text: string }).text).toHaveLength(300);
  });
});

describe('parsing gives the event loop back', () => {
  /** 2,000 events, each with 64 metadata keys no other event has: parsed at once, seconds. */
  const costly = () => {
    let k = 0;
    return Array.from(
      { length: 2000 },
      () =>
        `{"id":"${randomUUID()}","type":"TeacherRegistered","data":{"teacherId":"gv-k","fullName":"K"},"metadata":{${Array.from({ length: 64 }, () => `"k${k++}":"v"`).join(',')}}}`,
    );
  };
  /** The longest the event loop waited between two turns while `work` ran, and how many turns it had. */
  const turnsDuring = async (work: () => Promise<unknown>) => {
    let turns = 0;
    let longest = 0;
    let last = performance.now();
    let running = true;
    const turn = (): void => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      turns++;
      if (running) setImmediate(turn);
    };
    setImmediate(turn);
    const result = await work();
    running = false;
    return { result, turns, longest };
  };

  it('while a JSON array of costly events is parsed, one event at a time', async () => {
    const events = costly();
    const bytes = Buffer.from(`[${events.join(',')}]`);
    const meter = new BodyMeter('json');
    for (let i = 0; i < bytes.length; i += 65536) meter.feed(bytes.subarray(i, i + 65536));
    const { result, turns, longest } = await turnsDuring(() => parseJsonBody(bytes, meter));
    const values = result as unknown[];
    expect(values.length).toBe(2000);
    expect(values[1999]).toEqual(JSON.parse(events[1999] ?? ''));
    expect(turns).toBeGreaterThan(10);
    expect(longest).toBeLessThan(500);
  });

  it('while NDJSON lines of costly events are parsed', async () => {
    const events = costly();
    const { result, turns, longest } = await turnsDuring(() => parseNdjson(events.join('\n')));
    expect((result as unknown[]).length).toBe(2000);
    expect(turns).toBeGreaterThan(10);
    expect(longest).toBeLessThan(500);
  });
});

describe('BodyMeter', () => {
  const count = (kind: 'json' | 'ndjson', text: string, pieces = 7) => {
    const meter = new BodyMeter(kind);
    const bytes = Buffer.from(text);
    const size = Math.max(1, Math.ceil(bytes.length / pieces));
    for (let i = 0; i < bytes.length; i += size) meter.feed(bytes.subarray(i, i + size));
    return { items: meter.items, depth: meter.maxDepth };
  };

  it('counts the elements of a top-level array, not commas or brackets inside strings or values', () => {
    const values = [
      [],
      [1],
      [{ a: [1, 2, 3] }, 'x,y]', [[], []], null, '\\"', { 'k,]': '{' }],
      { not: 'an array', list: [1, 2] },
      'a string, with a comma',
      Array.from({ length: 100 }, (_, i) => ({ i, s: 'é, "ü"' })),
    ];
    for (const v of values) {
      for (const text of [JSON.stringify(v), JSON.stringify(v, null, 2)]) {
        expect(count('json', text).items).toBe(Array.isArray(v) ? v.length : 1);
      }
    }
  });

  it('counts non-blank NDJSON lines, whatever the chunks', () => {
    const text = '\uFEFF{"a":"x\\n"}\r\n\n   \n{"b":[1,\n2]}\n\t\n"z"';
    for (const pieces of [1, 3, text.length]) expect(count('ndjson', text, pieces).items).toBe(4);
  });

  it('notes where each element of a top-level array lies, whatever the chunks', () => {
    const values = [{ a: '],[' }, [1, [2]], 'x,"y', 3, null];
    const text = ` [ ${values.map((v) => JSON.stringify(v)).join(' ,\n')} ] `;
    const bytes = Buffer.from(text);
    for (const pieces of [1, 4, bytes.length]) {
      const meter = new BodyMeter('json');
      const size = Math.ceil(bytes.length / pieces);
      for (let i = 0; i < bytes.length; i += size) meter.feed(bytes.subarray(i, i + size));
      expect(meter.wellFormedArray).toBe(true);
      const parsed = [];
      for (let k = 0; k < meter.spans.length; k += 2)
        parsed.push(JSON.parse(bytes.toString('utf8', meter.spans[k], meter.spans[k + 1])));
      expect(parsed).toEqual(values);
    }
  });

  it('follows the nesting of JSON across chunks', () => {
    expect(count('json', `{"a":"[[[[","b":[[{"c":"\\\\"}]]}`, 9).depth).toBe(4);
  });
});
