import { COLLEGE, CENTRE_A, CENTRE_B, envelope, setupEvents } from '../test-support/fixtures.js';
import { type HttpRequest, type HttpResponse, listenForTests } from '../test-support/http.js';
import { type Stack, openStack } from '../test-support/stack.js';
import { CSV_TYPE, XLSX_TYPE } from './sheets.js';

describe('spreadsheets over HTTP', () => {
  let stack: Stack;
  let http: (request: HttpRequest) => Promise<HttpResponse>;
  let admin: string;
  let centreA: string;
  beforeAll(async () => {
    stack = await openStack();
    http = await listenForTests(stack.app);
    admin = stack.keys.create({ role: 'admin' }).secret;
    centreA = stack.keys.create({ role: 'integrator', units: [CENTRE_A] }).secret;
    const res = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      payload: JSON.stringify(setupEvents()),
    });
    expect(res.statusCode).toBe(200);
  });
  afterAll(() => stack.close());

  const importCsv = (secret: string, text: string, type = CSV_TYPE) =>
    http({
      method: 'POST',
      url: '/v1/imports?name=nha-giao.csv',
      headers: { authorization: `Bearer ${secret}`, 'content-type': type },
      payload: Buffer.from(`\uFEFF${text}`, 'utf8'),
    });
  const count = async () => {
    let n = 0;
    for await (const _ of stack.store.readAll()) n++;
    return n;
  };

  const SHEET = `Mã nhà giáo;Họ và tên;Mã đơn vị;Loại nhà giáo;Ngày tuyển dụng;Trình độ giảng dạy;Dạy lý thuyết/thực hành
gv-s1;Đinh Thị Thu;${CENTRE_A};Cơ hữu;06/01/2025;Sơ cấp;Thực hành
`;

  it('imports a CSV sheet, then the same again as nothing new, and the figure moves once', async () => {
    const figure = async () => {
      const res = await http({
        url: '/v1/indicators?asOf=2025-12-31&indicator=master-or-above&by=unit',
        headers: { authorization: `Bearer ${admin}` },
      });
      const figures = res.json<{ figures: { scope: string; denominator: number }[] }>().figures;
      return figures.find((f) => f.scope === `unit:${CENTRE_A}`)?.denominator;
    };
    const before = await figure();
    const first = await importCsv(centreA, SHEET);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      appended: 2,
      unchanged: 0,
      rows: 1,
      sheets: [{ kind: 'teachers' }],
    });
    const after = await figure();
    expect(after).toBe((before ?? 0) + 1);
    const again = await importCsv(centreA, SHEET);
    expect(again.json()).toMatchObject({ appended: 0, unchanged: 2 });
  });

  it('answers 422 naming every bad cell, and stores nothing', async () => {
    const before = await count();
    const res = await importCsv(
      centreA,
      `Mã nhà giáo;Họ và tên;Mã đơn vị;Loại nhà giáo;Ngày tuyển dụng;Trình độ giảng dạy;Dạy lý thuyết/thực hành
gv-s2;Hà Văn Nam;${CENTRE_A};Cơ hữu;2025/01/06;Sơ cấp;Thực hành
gv-s3;Lý Thị Mai;${COLLEGE};Cơ hữu;06/01/2025;Sơ cấp;Thực hành
`,
    );
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'rejected',
      details: [
        { path: 'nha-giao!E2 (Ngày tuyển dụng)', message: expect.stringMatching(/dd\/mm\/yyyy/) },
      ],
    });
    // Once the cell is fixed, the key's units are checked: the college is not the centre's key's.
    const fixed = await importCsv(
      centreA,
      `Mã nhà giáo;Họ và tên;Mã đơn vị;Loại nhà giáo;Ngày tuyển dụng;Trình độ giảng dạy;Dạy lý thuyết/thực hành
gv-s3;Lý Thị Mai;${COLLEGE};Cơ hữu;06/01/2025;Sơ cấp;Thực hành
`,
    );
    expect(fixed.statusCode).toBe(422);
    expect(fixed.json<{ details: { path: string }[] }>().details[0]!.path).toMatch(/^nha-giao!/);
    expect(await count()).toBe(before);
  });

  it("never compares with, quotes or counts another unit's teacher: the rows are refused, nothing is stored", async () => {
    const DEGREE_ID = '0b6f2f3e-5d1c-4c1e-9a7e-3f2a1b0c9d8e';
    const recorded = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      payload: JSON.stringify([
        envelope('TeacherRegistered', {
          teacherId: 'gv-b-9',
          fullName: 'Lục Thị Hạnh',
          birthDate: '1987-03-14',
          gender: 'female',
          ethnicity: 'Tày',
        }),
        envelope('TeacherHired', {
          teacherId: 'gv-b-9',
          unitId: CENTRE_B,
          employment: 'permanent',
          hiredOn: '2020-09-01',
          levels: ['intermediate'],
          mode: 'integrated',
        }),
        envelope(
          'DegreeAwarded',
          {
            teacherId: 'gv-b-9',
            degreeId: 'vb-b-9',
            level: 'master',
            field: 'Kỹ thuật điện',
            institution: 'ĐH Thái Nguyên',
            awardedOn: '2015-06-30',
          },
          DEGREE_ID,
        ),
      ]),
    });
    expect(recorded.statusCode).toBe(200);
    const centreB = stack.keys.create({ role: 'integrator', units: [CENTRE_B] }).secret;
    const TEACHERS = `Mã nhà giáo;Họ và tên;Ngày sinh;Giới tính;Dân tộc;Mã đơn vị;Loại nhà giáo;Ngày tuyển dụng;Trình độ giảng dạy;Dạy lý thuyết/thực hành
gv-b-9;Đoán Tên;;;;;;;;
`;
    const DEGREES = (
      institution: string,
    ) => `Mã nhà giáo;Mã văn bằng;Trình độ;Ngành;Cơ sở đào tạo;Ngày cấp;Sư phạm;Quốc gia
gv-b-9;vb-b-9;Thạc sỹ;Kỹ thuật điện;${institution};30/06/2015;;
`;
    const before = await count();
    for (const sheet of [TEACHERS, DEGREES('ĐH Bách khoa'), DEGREES('ĐH Thái Nguyên')]) {
      const res = await importCsv(centreA, sheet);
      expect(res.statusCode).toBe(422);
      const body = res.json<{ code: string; details: { path: string; message: string }[] }>();
      expect(body.code).toBe('rejected');
      expect(body.details).toEqual([
        {
          path: 'nha-giao!A2 (Mã nhà giáo)',
          message: expect.stringMatching(/teacher gv-b-9 is not one of this key's units' teachers/),
        },
      ]);
      for (const stored of [
        'Lục Thị Hạnh',
        '1987',
        '14/03',
        'female',
        'Tày',
        DEGREE_ID,
        CENTRE_B,
      ]) {
        expect(res.body).not.toContain(stored);
      }
      expect(res.body).not.toMatch(/unchanged|registered with|recorded earlier/);
    }
    expect(await count()).toBe(before);
    // The teacher's own unit still gets the comparison that helps fix the row.
    const own = await importCsv(centreB, TEACHERS);
    expect(own.statusCode).toBe(422);
    expect(own.json<{ details: { message: string }[] }>().details[0]!.message).toMatch(
      /teacher gv-b-9 is registered with (fullName "Lục Thị Hạnh"|birthDate "1987-03-14")/,
    );
    const same = await importCsv(centreB, DEGREES('ĐH Thái Nguyên'));
    expect(same.json()).toMatchObject({ appended: 0, unchanged: 1 });
    expect(await count()).toBe(before);
  });

  it("treats a never-hired teacher as the registering unit's: its sheets compare, another unit's are refused", async () => {
    const registered = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${centreA}`, 'content-type': 'application/json' },
      payload: JSON.stringify([
        envelope('TeacherRegistered', {
          teacherId: 'gv-a-new',
          fullName: 'Hoàng Văn Tú',
          birthDate: '1990-02-11',
          gender: 'male',
          ethnicity: 'Nùng',
        }),
      ]),
    });
    expect(registered.statusCode).toBe(200);
    const SHEET = `Mã nhà giáo;Họ và tên;Ngày sinh;Giới tính;Dân tộc;Mã đơn vị;Loại nhà giáo;Ngày tuyển dụng;Trình độ giảng dạy;Dạy lý thuyết/thực hành
gv-a-new;Tên Khác;;;;;;;;
`;
    const before = await count();
    // The registering unit gets the comparison that helps fix the row…
    const own = await importCsv(centreA, SHEET);
    expect(own.statusCode).toBe(422);
    expect(own.json<{ details: { message: string }[] }>().details[0]!.message).toMatch(
      /teacher gv-a-new is registered with (fullName "Hoàng Văn Tú"|birthDate "1990-02-11")/,
    );
    // …another unit learns nothing of the teacher.
    const centreB = stack.keys.create({ role: 'integrator', units: [CENTRE_B] }).secret;
    const other = await importCsv(centreB, SHEET);
    expect(other.statusCode).toBe(422);
    expect(other.json<{ details: { message: string }[] }>().details[0]!.message).toMatch(
      /teacher gv-a-new is not one of this key's units' teachers/,
    );
    expect(other.body).not.toContain('Hoàng Văn Tú');
    expect(await count()).toBe(before);
  });

  it('gives templates; a CSV sent to /v1/events is 415 listing the accepted types and where a sheet goes', async () => {
    const xlsx = await http({
      url: '/v1/templates/teachers',
      headers: { authorization: `Bearer ${centreA}` },
    });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe(XLSX_TYPE);
    expect(xlsx.headers['content-disposition']).toBe('attachment; filename="mau-teachers.xlsx"');
    const csv = await http({
      url: '/v1/templates/degrees?format=csv',
      headers: { authorization: `Bearer ${centreA}` },
    });
    expect(csv.body.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(
      'Mã nhà giáo,Mã văn bằng,Trình độ,Ngành,Cơ sở đào tạo,Ngày cấp,Sư phạm,Quốc gia',
    );
    const res = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${centreA}`, 'content-type': 'text/csv' },
      payload: 'id,type,teacherId\n',
    });
    expect(res.statusCode).toBe(415);
    const body = res.json<{ message: string; details: { path: string; message: string }[] }>();
    expect(body.message).toMatch(
      /send application\/json or application\/x-ndjson; this looks like a spreadsheet: POST it to \/v1\/imports/,
    );
    expect(body.details).toEqual([
      { path: 'headers.content-type', message: 'accepted: application/json, application/x-ndjson' },
    ]);
  });
});
