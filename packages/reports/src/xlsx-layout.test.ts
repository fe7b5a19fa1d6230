import ExcelJS from 'exceljs';
import { renderReportXlsx } from './render.js';
import type { AnnualReport } from './types.js';
import { INTEGER_FORMAT, PERCENT_FORMAT } from './xlsx-layout.js';

const report: AnnualReport = {
  plan: { code: 'bac-kan-423-2024', titleVi: 'Kế hoạch 423/KH-UBND', titleEn: 'Plan 423' },
  unit: { unitId: 'cdbk', name: 'Trường Cao đẳng Bắc Kạn', kind: 'college', area: 'bk.tp-bac-kan' },
  year: 2025,
  asOf: '2025-06-30',
  dueOn: '2025-08-25',
  knownAt: '1234',
  generatedAt: '2025-07-04T03:00:00.000Z',
  checkpoint: null,
  countFrom: '2024-01-01',
  indicators: [
    {
      indicator: 'master-or-above',
      titleVi: 'Nhà giáo đạt trình độ thạc sỹ trở lên',
      titleEn: "Master's or above",
      numerator: 82,
      denominator: 105,
      value: 82 / 105,
      target2025: 0.43,
      target2030: 0.44,
    },
  ],
  byDegree: [{ degree: 'master', permanent: 82, visiting: 2, total: 84 }],
  byEmployment: { permanent: 105, visiting: 9 },
  byLevelTaught: [{ level: 'college', permanent: 78, visiting: 9, total: 87 }],
  standard: [
    {
      teacherId: 'cdbk-1',
      fullName: 'Hà Hồng Trang',
      levels: ['college'],
      mode: 'integrated',
      meets: true,
      failures: [],
    },
    {
      teacherId: 'cdbk-2',
      fullName: 'Lê Văn Quân',
      levels: ['intermediate'],
      mode: 'integrated',
      meets: false,
      failures: [
        {
          level: 'intermediate',
          requirement: 'theory',
          needed: 'bằng cử nhân trở lên / a bachelor degree or higher',
        },
      ],
    },
  ],
  trainings: [{ topic: 'digital-materials', teachers: 49, completions: 56 }],
  postgraduate: [],
  funding: [{ source: 'state-budget', amountVnd: 1_170_000_000, fundings: 3, programmes: ['p1'] }],
};

describe('the annual report as an administrative document (XLSX)', () => {
  let wb: ExcelJS.Workbook;
  beforeAll(async () => {
    wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderReportXlsx(report)) as unknown as ArrayBuffer);
  });

  it('prints the report and its appendix, and keeps the data sheets hidden from print', () => {
    expect(wb.worksheets.map((w) => [w.name, w.state])).toEqual([
      ['Báo cáo', 'visible'],
      ['Phụ lục', 'visible'],
      ['Chỉ tiêu', 'hidden'],
      ['Trình độ', 'hidden'],
      ['Loại hình', 'hidden'],
      ['Cấp trình độ giảng dạy', 'hidden'],
      ['Chuẩn nhà giáo', 'hidden'],
      ['Bồi dưỡng', 'hidden'],
      ['Đang học sau đại học', 'hidden'],
      ['Kinh phí', 'hidden'],
      ['Thông tin', 'hidden'],
    ]);
  });

  it('opens with the issuing unit, the national motto, number and date, then the title (Decree 30/2020/NĐ-CP)', () => {
    const ws = wb.getWorksheet('Báo cáo') as ExcelJS.Worksheet;
    expect(ws.getCell('A1').value).toBe('TRƯỜNG CAO ĐẲNG BẮC KẠN');
    expect(ws.getCell('D1').value).toBe('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(ws.getCell('D2').value).toBe('Độc lập - Tự do - Hạnh phúc');
    expect(ws.getCell('D2').font.underline).toBe(true);
    expect(ws.getCell('A3').value).toBe('Số:       /BC-TCĐBK');
    expect(ws.getCell('D3').value).toBe('Bắc Kạn, ngày 04 tháng 7 năm 2025');
    const texts: string[] = [];
    ws.eachRow((row) => row.eachCell((c) => texts.push(String(c.value))));
    expect(texts).toContain('BÁO CÁO');
    expect(texts).toContain('THỦ TRƯỞNG ĐƠN VỊ');
    expect(texts).toContain('(Ký, ghi rõ họ tên, đóng dấu)');
    expect(texts).toContain('Nơi nhận:');
    expect(texts.join('\n')).toContain('số liệu tính đến ngày 30/06/2025');
    expect(texts).toContain('Nhà giáo đạt trình độ thạc sĩ trở lên');
  });

  it('keeps figures as numbers with Vietnamese formats, on A4 fitted to the width', () => {
    const ws = wb.getWorksheet('Báo cáo') as ExcelJS.Worksheet;
    let share: ExcelJS.Cell | undefined;
    ws.eachRow((row) =>
      row.eachCell((c) => {
        if (c.value === 82 / 105) share = c;
      }),
    );
    expect(share?.numFmt).toBe(PERCENT_FORMAT);
    expect(PERCENT_FORMAT).toBe('[$-42A]0.0 %');
    expect(ws.pageSetup).toMatchObject({
      paperSize: 9,
      orientation: 'portrait',
      fitToWidth: 1,
      fitToHeight: 0,
    });
    const appendix = wb.getWorksheet('Phụ lục') as ExcelJS.Worksheet;
    expect(appendix.pageSetup.printTitlesRow).toBe('3:3');
    const failing: string[] = [];
    appendix.eachRow((row) => row.eachCell((c) => failing.push(String(c.value))));
    // Only who fails the standard, in Vietnamese.
    expect(failing).toContain('Lê Văn Quân');
    expect(failing).not.toContain('Hà Hồng Trang');
    expect(failing).toContain('Trình độ trung cấp: lý thuyết (cần bằng cử nhân trở lên)');
    const data = wb.getWorksheet('Chỉ tiêu') as ExcelJS.Worksheet;
    expect(data.getRow(1).getCell(1).value).toBe('Mã chỉ tiêu');
    expect(data.getRow(3).getCell(5).numFmt).toBe(PERCENT_FORMAT);
    expect(data.getRow(3).getCell(3).numFmt).toBe(INTEGER_FORMAT);
  });
});
