import ExcelJS from 'exceljs';
import { readDate } from './cells.js';
import { KINDS, SHEET_KINDS, type SheetKind } from './kinds.js';

export const isSheetKind = (s: string): s is SheetKind =>
  (SHEET_KINDS as readonly string[]).includes(s);

const isDateColumn = (read: unknown): boolean => read === readDate;

/** A CSV field quoted when it must be (RFC 4180). */
const field = (s: string): string => (/[",;\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * The template of one kind as CSV: UTF-8 with a byte-order mark (Excel then
 * reads the diacritics right), the Vietnamese headers and the English ones
 * under them (the import skips that second row).
 */
export const templateCsv = (kind: SheetKind): string => {
  const spec = KINDS[kind];
  return `\uFEFF${spec.columns.map((c) => field(c.vi)).join(',')}\r\n${spec.columns.map((c) => field(c.en)).join(',')}\r\n`;
};

/**
 * The template as an XLSX workbook: one sheet per kind (all of them, or the one
 * asked), Vietnamese headers in bold with the English ones under them, date
 * columns formatted dd/mm/yyyy, and a guide sheet (Hướng dẫn) saying what each
 * column takes.
 */
export const templateXlsx = async (kinds: readonly SheetKind[] = SHEET_KINDS): Promise<Buffer> => {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'nhagiao';
  for (const kind of kinds) {
    const spec = KINDS[kind];
    const sheet = workbook.addWorksheet(spec.vi, { views: [{ state: 'frozen', ySplit: 2 }] });
    sheet.addRow(spec.columns.map((c) => c.vi)).font = { bold: true };
    sheet.addRow(spec.columns.map((c) => c.en)).font = {
      italic: true,
      color: { argb: 'FF666666' },
    };
    spec.columns.forEach((c, i) => {
      const column = sheet.getColumn(i + 1);
      column.width = Math.max(14, c.vi.length + 4);
      if (isDateColumn(c.read)) column.numFmt = 'dd/mm/yyyy';
    });
  }
  const guide = workbook.addWorksheet('Hướng dẫn');
  guide.addRow([
    'Trang / Sheet',
    'Cột',
    'Column',
    'Bắt buộc / Required',
    'Cách ghi / What to write',
  ]).font = {
    bold: true,
  };
  for (const kind of kinds) {
    for (const c of KINDS[kind].columns) {
      guide.addRow([KINDS[kind].vi, c.vi, c.en, c.required ? 'có / yes' : 'không / no', c.hint]);
    }
  }
  guide.columns.forEach((c, i) => (c.width = [16, 24, 18, 18, 70][i] ?? 16));
  return Buffer.from(await workbook.xlsx.writeBuffer());
};
