import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { type Ingestor, createIngestor } from '@nhagiao/ingest';
import { importSpreadsheet } from './import.js';
import { readXlsx } from './read.js';
import { templateCsv, templateXlsx } from './template.js';

const csv = (text: string, bom = true): Uint8Array =>
  Buffer.from(`${bom ? '\uFEFF' : ''}${text}`, 'utf8');

const UNITS = `Mã đơn vị;Tên đơn vị;Loại hình;Mã địa bàn;Ngày đăng ký
cdbk;Trường Cao đẳng Bắc Kạn;Trường cao đẳng;bk-tp;01/01/2020
ttcm;Trung tâm GDNN-GDTX Chợ Mới;vet-centre;bk-cm;1/3/2021
`;

const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

/** A workbook as an office worker fills one in: dates as date cells, names typed as NFD. */
const workbook = async (
  teachers: readonly (readonly unknown[])[],
  degrees: readonly (readonly unknown[])[] = [],
): Promise<Uint8Array> => {
  const wb = new ExcelJS.Workbook();
  const t = wb.addWorksheet('Nhà giáo');
  t.addRow([
    'STT',
    'Mã nhà giáo',
    'Họ và tên',
    'Mã đơn vị',
    'Loại nhà giáo',
    'Ngày tuyển dụng',
    'Trình độ giảng dạy',
    'Dạy lý thuyết/thực hành',
  ]);
  teachers.forEach((r, i) => t.addRow([i + 1, ...r]));
  t.getColumn(6).numFmt = 'dd/mm/yyyy';
  if (degrees.length > 0) {
    const d = wb.addWorksheet('Văn bằng');
    d.addRow([
      'Mã nhà giáo',
      'Mã văn bằng',
      'Trình độ',
      'Ngành',
      'Cơ sở đào tạo',
      'Ngày cấp',
      'Sư phạm',
    ]);
    degrees.forEach((r) => d.addRow([...r]));
    d.getColumn(6).numFmt = 'dd/mm/yyyy';
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
};

describe('importSpreadsheet on the SQLite store', () => {
  let dir: string;
  let store: EventStore;
  let ingestor: Ingestor;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-sheets-'));
    store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
    ingestor = createIngestor({ store });
  });
  afterEach(async () => {
    ingestor.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const all = async () => {
    const events = [];
    for await (const e of store.readAll()) events.push(e);
    return events;
  };
  const run = (bytes: Uint8Array, name: string) =>
    importSpreadsheet({
      readStream: (s) => store.readStream(s),
      ingestor,
      files: [{ bytes, name }],
    });

  it('reads a CSV with a BOM and `;`, and one without a BOM and `,`; importing it again appends nothing', async () => {
    const first = await run(csv(UNITS), 'don-vi.csv');
    expect(first.problems).toEqual([]);
    expect(first).toMatchObject({ rows: 2, appended: 2, unchanged: 0 });
    expect(first.sheets).toEqual([{ name: 'don-vi', kind: 'units', rows: 2 }]);
    const again = await run(csv(UNITS.replace(/;/g, ','), false), 'don-vi.csv');
    expect(again).toMatchObject({ problems: [], appended: 0, unchanged: 2, events: 0 });
    const events = await all();
    expect(events.map((e) => e.data)).toEqual([
      {
        unitId: 'cdbk',
        name: 'Trường Cao đẳng Bắc Kạn',
        kind: 'college',
        area: 'bk-tp',
        registeredOn: '2020-01-01',
      },
      {
        unitId: 'ttcm',
        name: 'Trung tâm GDNN-GDTX Chợ Mới',
        kind: 'vet-centre',
        area: 'bk-cm',
        registeredOn: '2021-03-01',
      },
    ]);
    // Ids derive from each row's natural key and content: the same on every machine.
    expect(events[0]!.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('takes Excel date cells and NFD names, stores NFC, and appends only the rows added', async () => {
    await run(csv(UNITS), 'don-vi.csv');
    const nfd = 'Nguyễn Thị Hồng'.normalize('NFD');
    const rows = [
      ['gv-1', nfd, 'cdbk', 'Cơ hữu', day('2021-09-01'), 'Cao đẳng, Trung cấp', 'Tích hợp'],
      [
        'gv-2',
        'Hoàng Văn Tú'.normalize('NFD'),
        'cdbk',
        'permanent',
        '15/08/2022',
        'cao đẳng',
        'Lý thuyết',
      ],
    ];
    const first = await run(await workbook(rows), 'nha-giao.xlsx');
    expect(first.problems).toEqual([]);
    expect(first.appended).toBe(4);
    const stored = await all();
    const registered = stored.find((e) => e.type === 'TeacherRegistered')!;
    expect((registered.data as { fullName: string }).fullName).toBe(
      'Nguyễn Thị Hồng'.normalize('NFC'),
    );
    expect(stored.find((e) => e.type === 'TeacherHired')!.data).toEqual({
      teacherId: 'gv-1',
      unitId: 'cdbk',
      employment: 'permanent',
      hiredOn: '2021-09-01',
      levels: ['college', 'intermediate'],
      mode: 'integrated',
    });
    const again = await run(await workbook(rows), 'nha-giao.xlsx');
    expect(again).toMatchObject({ problems: [], appended: 0, unchanged: 4 });
    const more = await run(
      await workbook([
        ...rows,
        ['gv-3', 'Lường Thị Mai', 'ttcm', 'Thỉnh giảng', day('2023-02-01'), 'Sơ cấp', 'Thực hành'],
      ]),
      'nha-giao.xlsx',
    );
    expect(more).toMatchObject({ problems: [], appended: 2, unchanged: 4 });
    expect((await all()).length).toBe(2 + 6);
  });

  it('names every bad cell as Sheet!C12 (header) and stores nothing', async () => {
    await run(csv(UNITS), 'don-vi.csv');
    const bytes = await workbook(
      [
        ['gv-1', 'Nguyễn Văn An', 'cdbk', 'Cơ hữu', '31/02/2021', 'Cao đẳng', 'Tích hợp'],
        ['gv 2', 'Hà Thị Bình', 'cdbk', 'biên chế', day('2021-01-01'), 'Đại học', 'Tích hợp'],
      ],
      [['gv-1', 'b-1', 'Thạc sĩ', 'Điện', 'ĐH Thái Nguyên', '', 'có']],
    );
    const report = await run(bytes, 'nha-giao.xlsx');
    expect(report.appended).toBe(0);
    expect(report.problems).toEqual([
      'Nhà giáo!F2 (Ngày tuyển dụng): "31/02/2021" is not a day of the calendar: check the day and the month (dd/mm/yyyy)',
      'Nhà giáo!B3 (Mã nhà giáo): "gv 2" is not a code: use letters A-Z, digits, ".", "_" or "-" (no spaces or diacritics), at most 64',
      expect.stringMatching(
        /^Nhà giáo!G3 \(Trình độ giảng dạy\): "Đại học" is not one of the accepted values: Trình độ cao đẳng \(college\)/,
      ),
      'Văn bằng!F2 (Ngày cấp): is empty: write dd/mm/yyyy, or a date cell',
    ]);
    expect((await all()).length).toBe(2);
  });

  it('names the cell a rule refuses, and stores nothing of the file', async () => {
    await run(csv(UNITS), 'don-vi.csv');
    const report = await run(
      await workbook([
        ['gv-1', 'Nguyễn Văn An', 'cdbk', 'Cơ hữu', day('2021-01-01'), 'Cao đẳng', 'Tích hợp'],
        ['gv-2', 'Hà Thị Bình', 'nowhere', 'Cơ hữu', day('2021-01-01'), 'Cao đẳng', 'Tích hợp'],
      ]),
      'nha-giao.xlsx',
    );
    expect(report.appended).toBe(0);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(
      /^Nhà giáo!D3 \(Mã đơn vị\): unit nowhere is not registered/,
    );
    expect((await all()).length).toBe(2);
  });

  it('turns a changed row into a retraction and the corrected fact, and a change back into another pair', async () => {
    await run(csv(UNITS), 'don-vi.csv');
    const teachers = [
      ['gv-1', 'Nguyễn Văn An', 'cdbk', 'Cơ hữu', day('2021-01-01'), 'Cao đẳng', 'Tích hợp'],
    ];
    const degree = (level: string) => [
      ['gv-1', 'b-1', level, 'Điện', 'ĐH Thái Nguyên', day('2024-06-01'), 'không'],
    ];
    expect((await run(await workbook(teachers, degree('Đại học')), 'a.xlsx')).appended).toBe(3);
    const corrected = await run(await workbook(teachers, degree('Thạc sĩ')), 'a.xlsx');
    expect(corrected).toMatchObject({ problems: [], appended: 2, corrections: 1, unchanged: 2 });
    const back = await run(await workbook(teachers, degree('Đại học')), 'a.xlsx');
    expect(back).toMatchObject({ problems: [], appended: 2, corrections: 1 });
    const stream = [];
    for await (const e of store.readStream('teacher-gv-1')) stream.push(e);
    expect(stream.map((e) => e.type)).toEqual([
      'TeacherRegistered',
      'TeacherHired',
      'DegreeAwarded',
      'EventRetracted',
      'DegreeAwarded',
      'EventRetracted',
      'DegreeAwarded',
    ]);
    expect(stream.map((e) => (e.data as { level?: string }).level).filter(Boolean)).toEqual([
      'bachelor',
      'master',
      'bachelor',
    ]);
    expect((stream[3]!.data as { eventId: string }).eventId).toBe(stream[2]!.id);
    expect((stream[5]!.data as { eventId: string }).eventId).toBe(stream[4]!.id);
    expect(new Set(stream.map((e) => e.id)).size).toBe(7);
    expect((await run(await workbook(teachers, degree('Đại học')), 'a.xlsx')).appended).toBe(0);
  });

  it("imports several files as one submission, units before the teachers that name them whatever the files' order", async () => {
    const teachers = csv(
      'Mã nhà giáo,Họ và tên,Mã đơn vị,Loại nhà giáo,Ngày tuyển dụng,Trình độ giảng dạy,Dạy lý thuyết/thực hành\ngv-1,Nguyễn Văn An,ttcm,Cơ hữu,01/09/2021,Sơ cấp,Thực hành\n',
    );
    const report = await importSpreadsheet({
      readStream: (s) => store.readStream(s),
      ingestor,
      files: [
        { bytes: teachers, name: 'nha-giao.csv' },
        { bytes: csv(UNITS), name: 'don-vi.csv' },
      ],
    });
    expect(report).toMatchObject({ problems: [], appended: 4 });
    const stored = await all();
    expect(stored.map((e) => e.type)).toEqual([
      'UnitRegistered',
      'UnitRegistered',
      'TeacherRegistered',
      'TeacherHired',
    ]);
    expect(stored[3]!.metadata).toMatchObject({ source: 'nha-giao.csv', row: 'nha-giao!2' });
  });

  it('refuses a changed name with what to do instead', async () => {
    await run(csv(UNITS), 'don-vi.csv');
    await run(csv('Mã nhà giáo,Họ và tên\ngv-1,Nguyễn Văn An\n'), 'nha-giao.csv');
    const report = await run(csv('Mã nhà giáo,Họ và tên\ngv-1,Nguyễn Văn Ân\n'), 'nha-giao.csv');
    expect(report.problems).toEqual([
      'nha-giao!B2 (Họ và tên): teacher gv-1 is registered with fullName "Nguyễn Văn An": no event of contract v1 changes a teacher\'s registration; write it as registered',
    ]);
  });

  it('gives templates the import reads back: headers in Vietnamese with English under them', async () => {
    const sheets = await readXlsx(await templateXlsx(['degrees']));
    expect(sheets.map((s) => s.name)).toEqual(['Văn bằng', 'Hướng dẫn']);
    expect(sheets[0]!.rows[0]!.cells.slice(0, 3)).toEqual([
      'Mã nhà giáo',
      'Mã văn bằng',
      'Trình độ',
    ]);
    expect(sheets[0]!.rows[1]!.cells.slice(0, 3)).toEqual(['Teacher code', 'Degree code', 'Level']);
    const filled = `${templateCsv('units')}cdbk,Trường Cao đẳng Bắc Kạn,college,bk-tp,01/01/2020\r\n`;
    const report = await run(Buffer.from(filled, 'utf8'), 'units.csv');
    expect(report).toMatchObject({ problems: [], appended: 1 });
    const empty = await run(Buffer.from(templateCsv('units'), 'utf8'), 'units.csv');
    expect(empty.problems[0]).toMatch(/holds no row of data/);
  });
});
