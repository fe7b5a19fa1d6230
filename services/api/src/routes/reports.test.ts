import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { CENTRE_A, CENTRE_B, COLLEGE, setupEvents } from '../test-support/fixtures.js';
import { type HttpRequest, type HttpResponse, listenForTests } from '../test-support/http.js';
import { type Stack, openStack } from '../test-support/stack.js';

interface StatusRow {
  unitId: string;
  status: string;
  submissions: number;
  firstSubmittedOn: string | null;
  latest: { submittedOn: string; asOf: string; position: string; values: unknown[] } | null;
}

describe('annual reports over HTTP', () => {
  let stack: Stack;
  let http: (request: HttpRequest) => Promise<HttpResponse>;
  let base: string;
  let admin: string;
  let reporter: string;
  let auditor: string;
  let centreA: string;

  const auth = (secret: string) => ({ authorization: `Bearer ${secret}` });
  const get = (secret: string, url: string) => http({ url, headers: auth(secret) });
  /** The body as bytes: the shared helper reads text, which would mangle an XLSX. */
  const bytes = async (secret: string, url: string) => {
    const res = await fetch(base + url, { headers: auth(secret) });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };

  beforeAll(async () => {
    stack = await openStack();
    http = await listenForTests(stack.app);
    base = `http://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`;
    admin = stack.keys.create({ role: 'admin' }).secret;
    reporter = stack.keys.create({ role: 'reporter' }).secret;
    auditor = stack.keys.create({ role: 'auditor' }).secret;
    centreA = stack.keys.create({ role: 'integrator', units: [CENTRE_A] }).secret;
    // The Sở records paper reports with the day they were submitted; the figures are the server's.
    const submit = (unitId: string, submittedOn: string, asOf = '2025-06-30', year = 2025) => ({
      id: randomUUID(),
      type: 'AnnualReportSubmitted',
      data: { unitId, year, asOf, submittedOn },
    });
    const post = (body: unknown) =>
      http({
        method: 'POST',
        url: '/v1/events',
        headers: { ...auth(admin), 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    expect((await post(setupEvents())).statusCode).toBe(200);
    for (const report of [
      // The college reports on time, then sends a correction after the deadline.
      submit(COLLEGE, '2025-08-25'),
      submit(COLLEGE, '2025-09-10', '2025-07-31'),
      // Na Rì only after the deadline; Ba Bể not at all; a 2024 report does not count for 2025.
      submit(CENTRE_B, '2025-08-26'),
      submit(CENTRE_A, '2024-08-01', '2024-06-30', 2024),
    ])
      expect((await post(report)).statusCode).toBe(200);
  });
  afterAll(() => stack.close());

  it('gives each unit its status for the year against the 25 August due day', async () => {
    const res = await get(reporter, '/v1/reports?year=2025');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ dueOn: string; units: StatusRow[] }>();
    expect(body.dueOn).toBe('2025-08-25');
    const byUnit = new Map(body.units.map((u) => [u.unitId, u]));
    expect([...byUnit.keys()].sort()).toEqual([COLLEGE, CENTRE_A, CENTRE_B].sort());
    // On the due day itself is on time; a later correction does not make it late.
    expect(byUnit.get(COLLEGE)).toMatchObject({
      status: 'submitted',
      submissions: 2,
      firstSubmittedOn: '2025-08-25',
      latest: {
        submittedOn: '2025-09-10',
        asOf: '2025-07-31',
        values: expect.arrayContaining([
          {
            indicator: 'master-or-above',
            numerator: expect.any(Number),
            denominator: expect.any(Number),
          },
        ]),
      },
    });
    expect(byUnit.get(CENTRE_B)).toMatchObject({
      status: 'late',
      submissions: 1,
      latest: { submittedOn: '2025-08-26' },
    });
    expect(byUnit.get(CENTRE_A)).toMatchObject({
      status: 'missing',
      submissions: 0,
      firstSubmittedOn: null,
      latest: null,
    });
    const lastYear = (await get(reporter, '/v1/reports?year=2024')).json<{ units: StatusRow[] }>();
    expect(lastYear.units.find((u) => u.unitId === CENTRE_A)?.status).toBe('submitted');
  });

  it('shows an integrator its own units only, and refuses a bad year', async () => {
    const mine = (await get(centreA, '/v1/reports?year=2025')).json<{ units: StatusRow[] }>();
    expect(mine.units.map((u) => u.unitId)).toEqual([CENTRE_A]);
    expect((await get(reporter, '/v1/reports?year=25')).statusCode).toBe(400);
    expect((await http({ url: '/v1/reports?year=2025' })).statusCode).toBe(401);
  });

  it('serves the annual report as an XLSX that opens with its Vietnamese headers', async () => {
    const { res, body } = await bytes(reporter, `/v1/reports/${COLLEGE}/2025.xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers.get('content-disposition')).toContain(`bao-cao-${COLLEGE}-2025.xlsx`);
    const workbook = new ExcelJS.Workbook();
    // exceljs's typing predates Node's generic Buffer.
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Chỉ tiêu');
    expect(sheet).toBeDefined();
    const header = (sheet?.getRow(1).values as unknown[]).filter((v) => v !== undefined);
    expect(header).toEqual(
      expect.arrayContaining(['Mã chỉ tiêu', 'Chỉ tiêu', 'Tử số', 'Mẫu số', 'Tỷ lệ']),
    );
    // The college's one permanent teacher is the master-or-above denominator.
    const codes = sheet?.getColumn(1).values as unknown[];
    const row = sheet?.getRow(codes.indexOf('master-or-above'));
    expect(row?.getCell(4).value).toBe(1);
    expect(workbook.worksheets.map((w) => w.name)).toContain('Trình độ');
  });

  it('serves CSV and JSON of the same report, as of 30 June unless told', async () => {
    const csv = await get(auditor, `/v1/reports/${COLLEGE}/2025.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body).toContain('Mã chỉ tiêu');
    const json = await get(admin, `/v1/reports/${COLLEGE}/2025.json`);
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({
      unit: { unitId: COLLEGE },
      year: 2025,
      asOf: '2025-06-30',
    });
    const dated = await get(admin, `/v1/reports/${COLLEGE}/2025.json?asOf=2019-12-31`);
    // Before anyone was hired there is no population.
    expect(
      dated.json<{ asOf: string; indicators: { denominator: number }[] }>().indicators[0],
    ).toMatchObject({ denominator: 0 });
  });

  it('lets an integrator have its own unit only, and says when the unit is unknown', async () => {
    expect((await bytes(centreA, `/v1/reports/${CENTRE_A}/2025.xlsx`)).res.status).toBe(200);
    const other = await get(centreA, `/v1/reports/${COLLEGE}/2025.json`);
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ code: 'forbidden' });
    const unknown = await get(admin, '/v1/reports/no-such-unit/2025.json');
    expect(unknown.statusCode).toBe(404);
    expect((await get(admin, `/v1/reports/${COLLEGE}/2025.pdf`)).statusCode).toBe(400);
  });
});
