import path from 'node:path';
import ExcelJS from 'exceljs';
import { cliSandbox } from './test-support/run.js';

const EXAMPLES = path.resolve(__dirname, '../../../docs/examples');
const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

/**
 * A new integrator's first day, as docs/events.md tells it: the example files,
 * then the Sở's teacher list in the XLSX template (dates as date cells, names
 * typed in NFD), imported, imported again, extended and corrected, with the
 * figures checked at each step.
 */
describe('a new integrator, from the docs to a spreadsheet', () => {
  const sandbox = cliSandbox();
  afterAll(() => sandbox.cleanup());
  const file = path.join(sandbox.dir, 'nha-giao.xlsx');

  const figures = async (): Promise<Record<string, string>> => {
    const r = await sandbox.run(['indicators', '--as-of', '2025-12-31', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as {
      indicator: string;
      numerator: number;
      denominator: number;
    }[];
    return Object.fromEntries(rows.map((f) => [f.indicator, `${f.numerator}/${f.denominator}`]));
  };
  const importSheet = async () => {
    const r = await sandbox.run(['import', file]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    return r.stderr;
  };

  type Row = (string | number | Date | null)[];
  const teachers: Row[] = [
    ['gv-tn-01', 'Triệu Thị Nga', 'gdnn-na-ri', 'Cơ hữu', day('2024-09-01'), 'Sơ cấp', 'Thực hành'],
    [
      'gv-tn-02',
      'Đặng Văn Quý',
      'cdbk',
      'Cơ hữu',
      day('2023-09-01'),
      'Cao đẳng, Trung cấp',
      'Tích hợp',
    ],
    ['gv-tn-03', 'Ma Thị Hường', 'cdbk', 'Thỉnh giảng', day('2024-02-01'), 'Cao đẳng', 'Lý thuyết'],
  ];
  const degrees: Row[] = [
    [
      'gv-tn-01',
      'gv-tn-01-dh',
      'Đại học',
      'Chăn nuôi',
      'Trường ĐH Nông Lâm',
      day('2010-06-30'),
      'không',
    ],
    [
      'gv-tn-02',
      'gv-tn-02-ths',
      'Thạc sĩ',
      'Cơ khí',
      'Trường ĐH Kỹ thuật Công nghiệp',
      day('2022-06-15'),
      'không',
    ],
  ];
  const certificates: Row[] = [
    ['gv-tn-02', 'gv-tn-02-nvsp', 'pedagogy-vet', null, null, '20/05/2021'],
  ];
  const enrolments: Row[] = [
    ['gv-tn-01', 'bd-cds-2024', '01/10/2024', day('2024-11-15'), null, 'Đạt'],
  ];

  /** Fills the template `nhagiao template all` gave, as a person would: under its two header rows. */
  const fill = async (): Promise<void> => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(sandbox.dir, 'mau.xlsx'));
    const put = (sheet: string, rows: readonly Row[], nameColumn?: number) => {
      const ws = wb.getWorksheet(sheet)!;
      rows.forEach((r, i) => {
        // Names typed on a Mac arrive decomposed (NFD).
        const cells = r.map((v, c) =>
          c === nameColumn && typeof v === 'string' ? v.normalize('NFD') : v,
        );
        ws.getRow(3 + i).values = cells;
      });
    };
    // The template's teacher columns: code, name, birth date, gender, ethnicity, unit, employment, hired on, levels, mode.
    put(
      'Nhà giáo',
      teachers.map((t) => [t[0]!, t[1]!, null, null, null, t[2]!, t[3]!, t[4]!, t[5]!, t[6]!]),
      1,
    );
    put('Văn bằng', degrees);
    put('Chứng chỉ', certificates);
    put('Học viên', enrolments);
    await wb.xlsx.writeFile(file);
  };

  it('imports the example files of the guide', async () => {
    for (const f of [
      '01-new-teacher',
      '02-degree',
      '03-training',
      '04-transfer',
      '05-leave',
      '06-correction',
    ]) {
      expect((await sandbox.run(['import', path.join(EXAMPLES, `${f}.ndjson`)])).code).toBe(0);
    }
    expect(await figures()).toMatchObject({
      'master-or-above': '0/2',
      'college-lecturers-qualified': '1/2',
      'trained-digital-transformation': '1/2',
    });
  });

  it('imports the filled-in template: date cells, NFD names stored as NFC, the figures move', async () => {
    const t = await sandbox.run(['template', 'all', '--out', path.join(sandbox.dir, 'mau.xlsx')]);
    expect(t.code).toBe(0);
    await fill();
    const stderr = await importSheet();
    // 3 registrations, 3 hires, 2 degrees, 1 certificate, 1 enrolment and its completion.
    expect(stderr).toContain(
      'nha-giao.xlsx: 11 events appended (0 correction(s)), 0 already recorded',
    );
    expect(await figures()).toMatchObject({
      'master-or-above': '1/4',
      'college-lecturers-qualified': '2/3',
      'trained-digital-transformation': '2/4',
    });
    const explain = await sandbox.run([
      'explain',
      'master-or-above',
      '--as-of',
      '2025-12-31',
      '--format',
      'json',
    ]);
    const names = (
      JSON.parse(explain.stdout) as { teachers: { teacherId: string; fullName: string }[] }
    ).teachers;
    expect(names.find((n) => n.teacherId === 'gv-tn-02')?.fullName).toBe(
      'Đặng Văn Quý'.normalize('NFC'),
    );
  });

  it('imports the same sheet again as nothing new', async () => {
    expect(await importSheet()).toContain(
      'nha-giao.xlsx: 0 events appended (0 correction(s)), 11 already recorded',
    );
    expect((await figures())['master-or-above']).toBe('1/4');
  });

  it('appends only the row added', async () => {
    teachers.push([
      'gv-tn-04',
      'Lục Văn Phúc',
      'gdnn-na-ri',
      'Cơ hữu',
      day('2025-03-03'),
      'Sơ cấp',
      'Thực hành',
    ]);
    await fill();
    expect(await importSheet()).toContain(
      'nha-giao.xlsx: 2 events appended (0 correction(s)), 11 already recorded',
    );
    expect((await figures())['master-or-above']).toBe('1/5');
  });

  it('turns a corrected cell into a retraction and the corrected fact', async () => {
    degrees[1]![2] = 'Đại học';
    await fill();
    expect(await importSheet()).toContain(
      'nha-giao.xlsx: 2 events appended (1 correction(s)), 12 already recorded',
    );
    expect(await figures()).toMatchObject({
      'master-or-above': '0/5',
      'college-lecturers-qualified': '2/3',
    });
    const history = await sandbox.run(['history', 'master-or-above', '--format', 'json']);
    const last = (
      JSON.parse(history.stdout) as {
        changes: { eventType: string; note: string | null; teacherId: string }[];
      }
    ).changes.at(-1);
    expect(last).toMatchObject({
      teacherId: 'gv-tn-02',
      eventType: 'EventRetracted',
      note: 'correction',
    });
  });
});
