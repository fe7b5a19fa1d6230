import { cellText } from '@nhagiao/reports/cell-text';

/**
 * RFC 4180 CSV with a BOM, so spreadsheet programs read the Vietnamese text as
 * UTF-8. Text that would start a formula is neutralised (cellText).
 */
export const toCsv = (header: readonly string[], rows: readonly (readonly unknown[])[]): string => {
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : String(cellText(v));
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return '\ufeff' + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
};
