import { cellText } from '@nhagiao/reports/cell-text';

type Cell = string | number | null;

const cell = (v: Cell): string => {
  if (v === null) return '';
  // Text that would start a formula in a spreadsheet is neutralised (cellText).
  const s = String(cellText(v));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** RFC 4180 CSV with a header row and CRLF line ends. */
export const toCsv = (header: readonly string[], rows: readonly (readonly Cell[])[]): string =>
  [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
