import type ExcelJS from 'exceljs';
import { cellText } from './cell-text.js';
import { type Sheet, metadataSheet, reportSheets } from './sheets.js';
import { layoutWorkbook } from './xlsx-layout.js';
import type { AnnualReport } from './types.js';

const csvField = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(cellText(v));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * CSV: each table under a `# name` line with its Vietnamese header row, tables
 * separated by a blank line, metadata first. UTF-8 with a BOM so spreadsheet
 * programs read the diacritics right.
 */
export const renderReportCsv = (report: AnnualReport): string => {
  const block = (s: Sheet): string =>
    [
      `# ${s.key}`,
      s.headers.map(csvField).join(','),
      ...s.rows.map((r) => r.map(csvField).join(',')),
    ].join('\r\n');
  return `\uFEFF${[metadataSheet(report), ...reportSheets(report)].map(block).join('\r\n\r\n')}\r\n`;
};

export const renderReportJson = (report: AnnualReport): string =>
  `${JSON.stringify(report, null, 2)}\n`;

/** exceljs, loaded when a workbook is made or read: half a second of start-up every other command need not pay. */
const excel = async (): Promise<typeof ExcelJS> => (await import('exceljs')).default;

/**
 * The XLSX workbook as the People's Committee receives it (`xlsx-layout.ts`):
 * the report and its appendix laid out for A4, then the data sheets.
 */
export const renderReportXlsx = async (report: AnnualReport): Promise<Buffer> => {
  const wb = new (await excel()).Workbook();
  wb.creator = 'nhagiao';
  // The workbook's own dates come from the report, so the same report gives the same workbook content.
  wb.created = new Date(report.generatedAt);
  wb.modified = wb.created;
  layoutWorkbook(wb, report);
  return Buffer.from(await wb.xlsx.writeBuffer());
};

/** Reading back: every sheet's rows, as values (for checks and tests). */
export const readXlsxSheets = async (bytes: Buffer): Promise<Map<string, unknown[][]>> => {
  const wb = new (await excel()).Workbook();
  // exceljs types want its own Buffer flavour; the bytes are what writeBuffer produced.
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const out = new Map<string, unknown[][]>();
  wb.eachSheet((ws) => {
    const rows: unknown[][] = [];
    ws.eachRow((row) => {
      rows.push((row.values as unknown[]).slice(1));
    });
    out.set(ws.name, rows);
  });
  return out;
};
