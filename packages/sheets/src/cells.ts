import { ID_PATTERN, isCalendarDate } from '@nhagiao/domain';

/** A cell as a reader hands it over: text (CSV, XLSX strings), a number, a boolean or a date cell. */
export type CellValue = string | number | boolean | Date | null;

/** Why a cell cannot be read, and how to fix it. */
export class CellError extends Error {}

/** Text as stored: Unicode NFC (a name typed on a Mac arrives as NFD), spaces trimmed and collapsed. */
export const nfc = (s: string): string => {
  // ASCII text is in NFC already: most codes and dates skip the normalisation.
  const n = /^[\x20-\x7e]*$/.test(s) ? s : s.normalize('NFC');
  // Most cells have no space to tidy: skip the rewrite for them.
  return /^\S(?:\S| (?=\S))*$/.test(n) ? n : n.replace(/\s+/g, ' ').trim();
};

/** Header text compared loosely: NFC, lower case, no punctuation around it. */
export const headerKey = (s: string): string =>
  nfc(s)
    .toLowerCase()
    .replace(/[*:()]/g, '')
    .trim();

export const isBlank = (v: CellValue): boolean =>
  v === null || (typeof v === 'string' && v.trim() === '');

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Excel's day 0 of the 1900 date system is 1899-12-30 (it counts the non-existent 29/02/1900). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

const fromUtcDate = (d: Date): string =>
  `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** dd/mm/yyyy (also d/m/yyyy, with `-` or `.`), yyyy-mm-dd, an Excel date cell or an Excel serial number. */
export const readDate = (v: CellValue): string => {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new CellError('is not a date');
    // Excel stores a day; a reader hands it over as midnight UTC of that day
    // (give or take the rounding of a fraction of a day).
    return fromUtcDate(new Date(Math.round(v.getTime() / 86400000) * 86400000));
  }
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 1 || v > 2958465) {
      throw new CellError(
        `${v} is not a date: write it as dd/mm/yyyy or format the cell as a date`,
      );
    }
    return fromUtcDate(new Date(EXCEL_EPOCH_MS + v * 86400000));
  }
  const s = typeof v === 'string' ? v.trim() : String(v);
  let iso: string | undefined;
  const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (dmy) iso = `${dmy[3]}-${pad(Number(dmy[2]))}-${pad(Number(dmy[1]))}`;
  else if (/^\d{4}-\d{2}-\d{2}$/.test(s)) iso = s;
  if (iso === undefined) {
    throw new CellError(`"${s}" is not a date: write it as dd/mm/yyyy (e.g. 06/01/2025)`);
  }
  if (!isCalendarDate(iso)) {
    throw new CellError(
      `"${s}" is not a day of the calendar: check the day and the month (dd/mm/yyyy)`,
    );
  }
  return iso;
};

/** Any cell as text: numbers as written (no thousands separators), dates as yyyy-mm-dd. */
export const readText = (v: CellValue): string => {
  if (v instanceof Date) return fromUtcDate(v);
  return nfc(String(v));
};

export const readId = (v: CellValue): string => {
  const s = readText(v);
  if (!ID_PATTERN.test(s)) {
    throw new CellError(
      `"${s}" is not a code: use letters A-Z, digits, ".", "_" or "-" (no spaces or diacritics), at most 64`,
    );
  }
  return s;
};

export const readInt = (v: CellValue, min: number, max: number): number => {
  const n = typeof v === 'number' ? v : Number(readText(v).replace(/[ .,](?=\d{3}\b)/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CellError(`"${readText(v)}" is not a whole number from ${min} to ${max}`);
  }
  return n;
};

const TRUE = new Set(['có', 'co', 'x', 'yes', 'y', 'true', '1', 'đúng']);
const FALSE = new Set(['không', 'khong', 'no', 'n', 'false', '0', 'sai']);

export const readBool = (v: CellValue): boolean => {
  if (typeof v === 'boolean') return v;
  const s = readText(v).toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new CellError(`"${readText(v)}" is not yes or no: write "có" or "không" (or x for yes)`);
};

/** A closed vocabulary: each code with the words a person may write for it. */
export type Vocabulary<T extends string> = readonly {
  readonly code: T;
  readonly label: string;
  readonly words: readonly string[];
}[];

export const vocabulary = <T extends string>(
  codes: readonly T[],
  labels: Readonly<Record<T, { readonly vi: string; readonly en: string }>>,
  extra: Partial<Record<T, readonly string[]>> = {},
): Vocabulary<T> =>
  codes.map((code) => ({
    code,
    label: labels[code].vi,
    words: [code, labels[code].vi, labels[code].en, ...(extra[code] ?? [])].map((w) =>
      nfc(w).toLowerCase(),
    ),
  }));

const wordMaps = new WeakMap<Vocabulary<string>, Map<string, string>>();
const wordMap = (vocab: Vocabulary<string>): Map<string, string> => {
  let map = wordMaps.get(vocab);
  if (map === undefined) {
    map = new Map(vocab.flatMap((e) => e.words.map((w) => [w, e.code] as const)));
    wordMaps.set(vocab, map);
  }
  return map;
};

export const readEnum = <T extends string>(v: CellValue, vocab: Vocabulary<T>): T => {
  const found = wordMap(vocab).get(readText(v).toLowerCase()) as T | undefined;
  if (found === undefined) {
    throw new CellError(
      `"${readText(v)}" is not one of the accepted values: ${vocab.map((e) => `${e.label} (${e.code})`).join(', ')}`,
    );
  }
  return found;
};

/**
 * A list in one cell, separated by `;`, a line break or `,`. A label that holds
 * a comma itself ("Xây dựng và sử dụng học liệu, bài giảng số") is taken whole
 * when it is one.
 */
export const readList = <T extends string>(v: CellValue, vocab: Vocabulary<T>): T[] => {
  const known = (p: string): boolean => wordMap(vocab).has(nfc(p).toLowerCase());
  const parts = readText(v)
    .split(/[;\n]/)
    .flatMap((p) => (known(p) ? [p] : p.split(',')))
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new CellError('is empty: name at least one');
  return [...new Set(parts.map((p) => readEnum(p, vocab)))];
};

/** The spreadsheet name of a 0-based column: A, B, …, Z, AA, … */
export const columnLetter = (index: number): string => {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
};
