import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { CellValue } from './cells.js';

/** One row of a sheet: its number as the spreadsheet shows it, and its cells from column A. */
export interface RawRow {
  readonly row: number;
  readonly cells: readonly CellValue[];
}

export interface RawSheet {
  /** The sheet's name (XLSX) or the file's name without its extension (CSV). */
  readonly name: string;
  /** The file it was read from. */
  readonly file?: string;
  readonly rows: readonly RawRow[];
}

export type SheetFormat = 'xlsx' | 'csv';

/** Not a spreadsheet this reader understands: why and what to send instead. */
export class SheetFormatError extends Error {}

const XLSX_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** xlsx when the bytes are a ZIP archive (every .xlsx is one), else csv. */
export const sniffFormat = (bytes: Uint8Array): SheetFormat =>
  Buffer.from(bytes.subarray(0, 4)).equals(XLSX_MAGIC) ? 'xlsx' : 'csv';

/** An exceljs cell value as plain text, number, boolean or date. */
const plain = (v: unknown): CellValue => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) {
      return (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('');
    }
    if ('result' in o) return plain(o.result);
    if ('text' in o) return plain(o.text);
    if ('error' in o) return String(o.error);
  }
  return String(v);
};

/** Every worksheet of an XLSX file (exceljs): date cells arrive as dates. */
export const readXlsx = async (bytes: Uint8Array): Promise<RawSheet[]> => {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch (e) {
    throw new SheetFormatError(
      `is not a readable XLSX file (${(e as Error).message}): save it again from Excel as .xlsx`,
    );
  }
  return workbook.worksheets.map((worksheet) => {
    const rows: RawRow[] = [];
    worksheet.eachRow({ includeEmpty: false }, (row, number) => {
      const values = row.values as unknown[];
      const cells: CellValue[] = [];
      for (let i = 1; i < values.length; i++) cells.push(plain(values[i]));
      rows.push({ row: number, cells });
    });
    return { name: worksheet.name, rows };
  });
};

/**
 * A CSV file as one sheet: UTF-8 with or without a byte-order mark, fields
 * separated by `,` or `;` (whichever the header line uses: Excel in a
 * Vietnamese locale writes `;`), quoted as RFC 4180 says.
 */
export const readCsv = (bytes: Uint8Array, name: string): RawSheet => {
  let text = Buffer.from(bytes).toString('utf8');
  if (text.includes('\uFFFD')) {
    throw new SheetFormatError(
      'is not UTF-8 text: in Excel, save it as "CSV UTF-8 (Comma delimited)", or send the .xlsx file',
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter =
    (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: string[][];
  try {
    records = parseCsv(text, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: false,
    }) as string[][];
  } catch (e) {
    throw new SheetFormatError(`is not valid CSV: ${(e as Error).message}`);
  }
  return {
    name,
    rows: records.map((cells, i) => ({ row: i + 1, cells })),
  };
};

export const readSpreadsheet = async (
  bytes: Uint8Array,
  name: string,
  format: SheetFormat = sniffFormat(bytes),
): Promise<RawSheet[]> =>
  (format === 'xlsx' ? await readXlsx(bytes) : [readCsv(bytes, name.replace(/\.[^.]*$/, ''))]).map(
    (sheet) => ({ ...sheet, file: name }),
  );
