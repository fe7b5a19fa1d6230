import {
  type DegreeLevel,
  degreeLevelLabels,
  employmentLabels,
  getPlan,
  teachingLevelLabels,
  topicLabels,
} from '@nhagiao/domain';
import type ExcelJS from 'exceljs';
import { cellText } from './cell-text.js';
import { type Sheet, metadataSheet, reportSheets } from './sheets.js';
import type { AnnualReport } from './types.js';

/**
 * The annual report as a Vietnamese administrative document (the layout of
 * Decree 30/2020/NĐ-CP: issuing unit and national motto side by side, number
 * and date, title, the tables, the recipients and the signature block), on
 * A4 portrait, fitted to the page width:
 *
 * - `Báo cáo`: the report itself — indicators against the targets, the
 *   teachers by degree, employment and level taught, the standard in counts,
 *   trainings, postgraduate study and funding;
 * - `Phụ lục`: the teachers who do not meet the standard and those in
 *   postgraduate study, by name (header row repeated on every page);
 * - the data sheets of `reportSheets` and `Thông tin`, one table each with
 *   their Vietnamese and English header rows, kept for machines and hidden
 *   from print.
 *
 * Numbers carry Vietnamese formats (`[$-42A]`: "78,1 %", "1.234.567"), so a
 * spreadsheet shows and prints them as the Sở reads them, while the cells stay numbers.
 */

const VI = '[$-42A]';
export const PERCENT_FORMAT = `${VI}0.0 %`;
export const INTEGER_FORMAT = `${VI}#,##0`;
const FONT = 'Times New Roman';
/** Columns of the printed sheets: a label column and five figure columns, ~180 mm wide. */
const WIDTHS = [6, 44, 13, 13, 13, 13, 13];
const LAST = 'G';

const fundingSourceLabels: Readonly<Record<string, string>> = {
  'state-budget': 'Ngân sách nhà nước',
  'national-target-programme': 'Chương trình mục tiêu quốc gia',
  'unit-revenue': 'Nguồn thu của đơn vị',
  mobilised: 'Nguồn huy động',
};

const requirementLabels: Readonly<Record<string, string>> = {
  theory: 'lý thuyết',
  practice: 'thực hành',
  pedagogy: 'nghiệp vụ sư phạm',
};

/** The Vietnamese half of a bilingual "vi / en" text. */
const vietnameseOnly = (s: string): string => s.split(' / ')[0] ?? s;

/** Where a unit's area says it is: the province of its area code. */
const placeOf = (area: string): string =>
  area.startsWith('tn.') ? 'Thái Nguyên' : area.startsWith('bk.') ? 'Bắc Kạn' : 'Bắc Kạn';

const dmy = (iso: string): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m === null ? iso : `${m[3]}/${m[2]}/${m[1]}`;
};

/** "ngày 05 tháng 7 năm 2025" of an instant, in Vietnam time. */
const longDate = (instant: string): string => {
  const t = new Date(Date.parse(instant) + 7 * 3600_000);
  const d = Number.isNaN(t.getTime()) ? new Date(0) : t;
  const day = String(d.getUTCDate()).padStart(2, '0');
  return `ngày ${day} tháng ${d.getUTCMonth() + 1} năm ${d.getUTCFullYear()}`;
};

/** Initials of a unit name for the document number: "Trường Cao đẳng Bắc Kạn" → "TCĐBK". */
const initials = (name: string): string =>
  name
    .split(/\s+/)
    .filter((w) => w.length > 0 && !/^[-–—]$/.test(w))
    .map((w) => (w[0] ?? '').toLocaleUpperCase('vi'))
    .join('')
    .slice(0, 10);

type Cell = string | number | null;

/** A text cell's content, as written into the workbook: text that could start a formula is neutralised (`cellText`). */
const text = (v: Cell): Cell => cellText(v);

interface Printer {
  readonly ws: ExcelJS.Worksheet;
  row: number;
}

const font = (
  bold = false,
  italic = false,
  size = 12,
  underline = false,
): Partial<ExcelJS.Font> => ({
  name: FONT,
  size,
  bold,
  italic,
  underline,
});

const thin: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};

/** One line of text across columns `from`–`to`, merged, aligned, wrapped. */
const line = (
  p: Printer,
  from: string,
  to: string,
  value: string,
  options: {
    readonly font?: Partial<ExcelJS.Font>;
    readonly align?: 'left' | 'center' | 'right';
    readonly height?: number;
    readonly sameRow?: boolean;
  } = {},
): void => {
  if (options.sameRow !== true) p.row += 1;
  const range = `${from}${p.row}:${to}${p.row}`;
  if (from !== to) p.ws.mergeCells(range);
  const cell = p.ws.getCell(`${from}${p.row}`);
  cell.value = text(value);
  cell.font = options.font ?? font();
  cell.alignment = { horizontal: options.align ?? 'left', vertical: 'middle', wrapText: true };
  if (options.height !== undefined) p.ws.getRow(p.row).height = options.height;
};

/**
 * A table: a header row, then rows; `formats[i]` is the number format of
 * column i (null: text). Column 1 is "TT" (order), column 2 the label; a
 * table with fewer than 5 figure columns merges nothing: its figures sit
 * in the first columns.
 */
const table = (
  p: Printer,
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  formats: readonly (string | null)[],
): void => {
  p.row += 1;
  const head = p.ws.getRow(p.row);
  headers.forEach((h, i) => {
    const cell = head.getCell(i + 1);
    cell.value = text(h);
    cell.font = font(true, false, 11);
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = thin;
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEFEFEF' } };
  });
  head.height = headers.some((h) => h.length > 14) ? 32 : 18;
  for (const r of rows) {
    p.row += 1;
    const row = p.ws.getRow(p.row);
    r.forEach((v, i) => {
      const cell = row.getCell(i + 1);
      cell.value = typeof v === 'number' ? v : text(v ?? '');
      cell.font = font(false, false, 11);
      cell.border = thin;
      const format = formats[i] ?? null;
      if (format !== null && typeof v === 'number') cell.numFmt = format;
      cell.alignment = {
        horizontal: typeof v === 'number' ? 'right' : i === 0 ? 'center' : 'left',
        vertical: 'middle',
        wrapText: true,
      };
    });
    // Lines a wrapped cell needs at its column's width (about one character a unit at 11 pt).
    const lines = Math.max(
      ...r.map((v, i) =>
        Math.ceil(String(v ?? '').length / ((p.ws.getColumn(i + 1).width ?? 12) - 1)),
      ),
    );
    row.height = Math.max(16, lines * 14.5);
  }
};

const pageSetup = (ws: ExcelJS.Worksheet, printTitlesRow?: string): void => {
  ws.pageSetup = {
    paperSize: 9, // A4
    orientation: 'portrait',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    horizontalCentered: true,
    margins: { left: 0.6, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    ...(printTitlesRow === undefined ? {} : { printTitlesRow }),
  };
  ws.headerFooter = { oddFooter: '&C&"Times New Roman"&9Trang &P/&N' };
  ws.columns = WIDTHS.map((width) => ({ width }));
};

const degreeLabel = (d: DegreeLevel | 'none'): string =>
  d === 'none' ? 'Chưa có bằng' : degreeLevelLabels[d].vi;

/** The report sheet: heading block, title, sections I–VI, recipients and signature. */
const reportSheet = (wb: ExcelJS.Workbook, r: AnnualReport): void => {
  const ws = wb.addWorksheet('Báo cáo', {
    properties: { defaultRowHeight: 16 },
    views: [{ showGridLines: false }],
  });
  pageSetup(ws);
  const p: Printer = { ws, row: 0 };
  const plan = getPlan(r.plan.code);
  const unitName = r.unit.name.toLocaleUpperCase('vi');

  // Decree 30: issuing unit (left) and national motto (right), then number (left) and place, date (right).
  line(p, 'A', 'C', unitName, { font: font(true, false, 12), align: 'center', height: 32 });
  line(p, 'D', LAST, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', {
    font: font(true, false, 12),
    align: 'center',
    sameRow: true,
  });
  line(p, 'A', 'C', '―――――', { align: 'center', font: font(false, false, 10) });
  line(p, 'D', LAST, 'Độc lập - Tự do - Hạnh phúc', {
    font: font(true, false, 13, true),
    align: 'center',
    sameRow: true,
  });
  line(p, 'A', 'C', `Số:       /BC-${initials(r.unit.name)}`, { align: 'center', height: 24 });
  line(p, 'D', LAST, `${placeOf(r.unit.area)}, ${longDate(r.generatedAt)}`, {
    font: font(false, true, 12),
    align: 'center',
    sameRow: true,
  });
  p.row += 1;
  line(p, 'A', LAST, 'BÁO CÁO', { font: font(true, false, 14), align: 'center', height: 22 });
  line(p, 'A', LAST, `Kết quả đào tạo, bồi dưỡng, chuẩn hóa đội ngũ nhà giáo năm ${r.year}`, {
    font: font(true, false, 13),
    align: 'center',
    height: 20,
  });
  line(
    p,
    'A',
    LAST,
    `(Thực hiện ${plan === undefined ? r.plan.titleVi : `Kế hoạch ${plan.legalSource.documentNumber} ngày ${dmy(plan.legalSource.date)} của ${plan.legalSource.issuer}`}; số liệu tính đến ngày ${dmy(r.asOf)})`,
    { font: font(false, true, 12), align: 'center', height: 32 },
  );
  line(p, 'A', LAST, 'Kính gửi: Ủy ban nhân dân tỉnh.', {
    font: font(false, false, 12),
    align: 'center',
    height: 22,
  });

  line(p, 'A', LAST, 'I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU', { font: font(true), height: 22 });
  table(
    p,
    ['TT', 'Chỉ tiêu', 'Đạt', 'Tổng số', 'Tỷ lệ', 'Mục tiêu 2025', 'Mục tiêu 2030'],
    r.indicators.map((i, n) => [
      n + 1,
      i.titleVi.replace(/thạc sỹ/g, 'thạc sĩ'),
      i.numerator,
      i.denominator,
      i.value,
      i.target2025,
      i.target2030,
    ]),
    [null, null, INTEGER_FORMAT, INTEGER_FORMAT, PERCENT_FORMAT, PERCENT_FORMAT, PERCENT_FORMAT],
  );

  line(p, 'A', LAST, 'II. ĐỘI NGŨ NHÀ GIÁO', { font: font(true), height: 22 });
  line(p, 'A', LAST, '1. Theo trình độ đào tạo cao nhất', { font: font(false, true) });
  table(
    p,
    ['TT', 'Trình độ cao nhất', 'Cơ hữu', 'Thỉnh giảng', 'Tổng'],
    r.byDegree.map((d, n) => [n + 1, degreeLabel(d.degree), d.permanent, d.visiting, d.total]),
    [null, null, INTEGER_FORMAT, INTEGER_FORMAT, INTEGER_FORMAT],
  );
  line(p, 'A', LAST, '2. Theo cấp trình độ giảng dạy', { font: font(false, true) });
  table(
    p,
    ['TT', 'Cấp trình độ giảng dạy', 'Cơ hữu', 'Thỉnh giảng', 'Tổng'],
    r.byLevelTaught.map((l, n) => [
      n + 1,
      teachingLevelLabels[l.level].vi,
      l.permanent,
      l.visiting,
      l.total,
    ]),
    [null, null, INTEGER_FORMAT, INTEGER_FORMAT, INTEGER_FORMAT],
  );
  line(
    p,
    'A',
    LAST,
    `Tổng số: ${(['permanent', 'visiting'] as const)
      .map((e) => `${employmentLabels[e].vi.toLocaleLowerCase('vi')} ${r.byEmployment[e]}`)
      .join('; ')} nhà giáo.`,
  );
  if (r.standard.length > 0) {
    const meets = r.standard.filter((s) => s.meets).length;
    line(
      p,
      'A',
      LAST,
      `3. Chuẩn nhà giáo (nhà giáo cơ hữu): ${meets}/${r.standard.length} đạt chuẩn; ${r.standard.length - meets} chưa đạt (danh sách tại Phụ lục).`,
      { height: 32 },
    );
  }

  line(p, 'A', LAST, 'III. BỒI DƯỠNG NHÀ GIÁO', { font: font(true), height: 22 });
  table(
    p,
    ['TT', 'Chủ đề bồi dưỡng', 'Nhà giáo cơ hữu', 'Lượt hoàn thành'],
    r.trainings.map((t, n) => [n + 1, topicLabels[t.topic].vi, t.teachers, t.completions]),
    [null, null, INTEGER_FORMAT, INTEGER_FORMAT],
  );

  line(p, 'A', LAST, 'IV. ĐANG HỌC SAU ĐẠI HỌC', { font: font(true), height: 22 });
  const studying = (level: 'master' | 'doctorate') =>
    r.postgraduate.filter((x) => x.level === level).length;
  line(
    p,
    'A',
    LAST,
    `Thạc sĩ: ${studying('master')} người; tiến sĩ: ${studying('doctorate')} người${r.postgraduate.length > 0 ? ' (danh sách tại Phụ lục)' : ''}.`,
  );

  line(p, 'A', LAST, 'V. KINH PHÍ BỒI DƯỠNG', { font: font(true), height: 22 });
  if (r.funding.length === 0) line(p, 'A', LAST, 'Không có khoản kinh phí nào trong kỳ.');
  else
    table(
      p,
      ['TT', 'Nguồn kinh phí', 'Số tiền (đồng)', 'Số khoản'],
      r.funding.map((f, n) => [
        n + 1,
        fundingSourceLabels[f.source] ?? f.source,
        f.amountVnd,
        f.fundings,
      ]),
      [null, null, INTEGER_FORMAT, INTEGER_FORMAT],
    );

  // Recipients (left) and signature (right).
  p.row += 1;
  line(p, 'A', 'C', 'Nơi nhận:', { font: font(true, true, 11) });
  line(p, 'D', LAST, 'THỦ TRƯỞNG ĐƠN VỊ', { font: font(true), align: 'center', sameRow: true });
  line(p, 'A', 'C', '- Như trên;', { font: font(false, false, 10) });
  line(p, 'D', LAST, '(Ký, ghi rõ họ tên, đóng dấu)', {
    font: font(false, true, 11),
    align: 'center',
    sameRow: true,
  });
  line(p, 'A', 'C', '- Lưu: VT.', { font: font(false, false, 10) });
  ws.pageSetup.printArea = `A1:${LAST}${p.row + 4}`;
};

/** The appendix: who does not meet the standard, and who is studying, by name. */
const appendixSheet = (wb: ExcelJS.Workbook, r: AnnualReport): void => {
  const ws = wb.addWorksheet('Phụ lục', { views: [{ showGridLines: false }] });
  pageSetup(ws, '3:3');
  ws.columns = [5, 24, 11, 22, 44, 0.1, 0.1].map((width) => ({ width }));
  const p: Printer = { ws, row: 0 };
  line(p, 'A', LAST, `PHỤ LỤC (kèm theo Báo cáo năm ${r.year} của ${r.unit.name})`, {
    font: font(true),
    align: 'center',
    height: 22,
  });
  line(p, 'A', LAST, '1. Nhà giáo cơ hữu chưa đạt chuẩn', { font: font(true, true) });
  const failing = r.standard.filter((s) => !s.meets);
  table(
    p,
    ['TT', 'Họ và tên', 'Mã nhà giáo', 'Cấp giảng dạy', 'Yêu cầu chưa đạt'],
    failing.map((s, n) => [
      n + 1,
      s.fullName ?? s.teacherId,
      s.teacherId,
      s.levels.map((l) => teachingLevelLabels[l].vi).join(', '),
      s.failures
        .map(
          (f) =>
            `${teachingLevelLabels[f.level].vi}: ${requirementLabels[f.requirement] ?? f.requirement} (cần ${vietnameseOnly(f.needed)})`,
        )
        .join('; '),
    ]),
    [],
  );
  if (failing.length === 0) line(p, 'A', LAST, 'Không có.');
  line(p, 'A', LAST, '2. Nhà giáo đang học sau đại học', { font: font(true, true), height: 22 });
  table(
    p,
    ['TT', 'Họ và tên', 'Mã nhà giáo', 'Trình độ', 'Cơ sở đào tạo; bắt đầu – dự kiến xong'],
    r.postgraduate.map((x, n) => [
      n + 1,
      x.fullName ?? x.teacherId,
      x.teacherId,
      degreeLevelLabels[x.level].vi,
      `${x.institution}; ${dmy(x.startedOn)} – ${x.expectedOn === null ? 'chưa ghi' : dmy(x.expectedOn)}`,
    ]),
    [],
  );
  if (r.postgraduate.length === 0) line(p, 'A', LAST, 'Không có.');
};

/** The number formats of a data sheet's columns, by its header. */
const dataFormat = (header: string): string | null =>
  /Tỷ lệ|Mục tiêu/.test(header)
    ? PERCENT_FORMAT
    : /Tử số|Mẫu số|Cơ hữu|Thỉnh giảng|Tổng|Số |Số tiền/.test(header)
      ? INTEGER_FORMAT
      : null;

/** A data sheet: Vietnamese and English header rows, then the rows; hidden from print. */
const dataSheet = (wb: ExcelJS.Workbook, s: Sheet): void => {
  const ws = wb.addWorksheet(s.name, { state: 'hidden' });
  ws.addRow(s.headers.map((h) => text(h))).font = { bold: true };
  ws.addRow(s.headersEn.map((h) => text(h))).font = { italic: true };
  for (const row of s.rows) ws.addRow(row.map((v) => (typeof v === 'number' ? v : text(v ?? ''))));
  ws.columns.forEach((c, i) => {
    const widest = Math.max(
      ...[s.headers[i], s.headersEn[i], ...s.rows.map((r) => r[i])].map(
        (v) => String(v ?? '').length,
      ),
    );
    c.width = Math.min(60, Math.max(10, widest + 2));
    const format = dataFormat(s.headers[i] ?? '');
    if (format !== null) c.numFmt = format;
  });
  ws.views = [{ state: 'frozen', ySplit: 2 }];
  ws.pageSetup = {
    paperSize: 9,
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    printTitlesRow: '1:2',
  };
};

/**
 * Lays the workbook out: `Báo cáo` and `Phụ lục` to print, then the data
 * sheets (hidden) with the same figures as the CSV and JSON.
 */
export const layoutWorkbook = (wb: ExcelJS.Workbook, report: AnnualReport): void => {
  reportSheet(wb, report);
  appendixSheet(wb, report);
  for (const s of [...reportSheets(report), metadataSheet(report)]) dataSheet(wb, s);
};
