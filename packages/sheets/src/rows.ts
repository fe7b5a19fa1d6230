import { type CellValue, CellError, columnLetter, headerKey, isBlank, readText } from './cells.js';
import {
  type Draft,
  KINDS,
  type KindSpec,
  RowError,
  SHEET_KINDS,
  type SheetKind,
} from './kinds.js';
import type { RawSheet } from './read.js';

/** A cell that cannot be read: where (`Văn bằng!F12`), the column's header, why and how to fix it. */
export interface CellProblem {
  readonly where: string;
  readonly column: string;
  readonly message: string;
}

export const formatProblem = (p: CellProblem): string =>
  p.column === '' ? `${p.where}: ${p.message}` : `${p.where} (${p.column}): ${p.message}`;

/** One row read: its kind, where it is, the events it stands for and where each field's cell is. */
export interface SheetRow {
  readonly kind: SheetKind;
  readonly sheet: string;
  /** The file the sheet was read from, when known. */
  readonly file?: string;
  readonly row: number;
  readonly drafts: readonly Draft[];
  /** Field key → the column's letter and header (shared by the sheet's rows), to name a cell a later refusal is about. */
  readonly columns: ReadonlyMap<string, { readonly letter: string; readonly header: string }>;
}

/** The cell of `field` in `row` (`Văn bằng!F12`) and its header, when the sheet has that column. */
export const cellOf = (
  row: SheetRow,
  field: string,
): { readonly ref: string; readonly header: string } | undefined => {
  const column = row.columns.get(field);
  return column === undefined
    ? undefined
    : { ref: `${row.sheet}!${column.letter}${row.row}`, header: column.header };
};

export interface ReadSheets {
  readonly rows: readonly SheetRow[];
  readonly problems: readonly CellProblem[];
  /** Each sheet read: its name, the kind found and its rows of data. */
  readonly sheets: readonly {
    readonly name: string;
    readonly kind: SheetKind;
    readonly rows: number;
  }[];
}

/** Sheets that explain rather than hold records (the templates' guide). */
const GUIDE_NAMES = new Set(['hướng dẫn', 'guide', 'huong dan']);
/** Columns people add for themselves: kept out of the records, never an error. */
const IGNORED_HEADERS = new Set(['stt', 'tt', 'no.', 'no', 'ghi chú', 'notes', 'note']);

const kindByName = (name: string): KindSpec | undefined => {
  const key = headerKey(name);
  return SHEET_KINDS.map((k) => KINDS[k]).find(
    (s) => headerKey(s.vi) === key || headerKey(s.en) === key || s.kind === key,
  );
};

const columnOf = (spec: KindSpec, header: string): string | undefined => {
  const key = headerKey(header);
  return spec.columns.find(
    (c) => headerKey(c.vi) === key || headerKey(c.en) === key || c.key.toLowerCase() === key,
  )?.key;
};

const describeKinds = (): string => SHEET_KINDS.map((k) => `${KINDS[k].vi} (${k})`).join(', ');

const quoteSheet = (name: string): string => name;

/** Rows of data of every sheet, each turned into the events it stands for; every bad cell listed. */
export const readSheets = (sheets: readonly RawSheet[]): ReadSheets => {
  const rows: SheetRow[] = [];
  const problems: CellProblem[] = [];
  const found: { name: string; kind: SheetKind; rows: number }[] = [];
  for (const sheet of sheets) {
    if (GUIDE_NAMES.has(headerKey(sheet.name))) continue;
    const header = sheet.rows.find((r) => r.cells.some((c) => !isBlank(c)));
    if (header === undefined) continue;
    const where = (col: number, row: number): string =>
      `${quoteSheet(sheet.name)}!${columnLetter(col)}${row}`;
    const headers = header.cells.map((c) => (isBlank(c) ? '' : readText(c)));
    let spec = kindByName(sheet.name);
    if (spec === undefined) {
      // A CSV file or a renamed sheet: the kind whose columns the headers name best.
      const scored = SHEET_KINDS.map((k) => KINDS[k])
        .map((s) => ({
          s,
          matched: headers.filter((h) => h !== '' && columnOf(s, h) !== undefined).length,
          complete: s.columns
            .filter((c) => c.required)
            .every((c) => headers.some((h) => columnOf(s, h) === c.key)),
        }))
        .filter((x) => x.complete)
        .sort((a, b) => b.matched - a.matched || a.s.columns.length - b.s.columns.length);
      spec = scored[0]?.s;
      if (spec === undefined) {
        problems.push({
          where: `${quoteSheet(sheet.name)}!${header.row}`,
          column: '',
          message: `the header row names no kind of record this import knows: name the sheet (or file) after one of ${describeKinds()}, with the headers of \`nhagiao template KIND\``,
        });
        continue;
      }
    }
    const index = new Map<string, number>();
    headers.forEach((h, i) => {
      if (h === '' || IGNORED_HEADERS.has(headerKey(h))) return;
      const key = columnOf(spec, h);
      if (key === undefined) {
        problems.push({
          where: where(i, header.row),
          column: h,
          message: `is not a column of ${spec.vi} (${spec.kind}): the columns are ${spec.columns.map((c) => c.vi).join(', ')} (or their English names; STT and Ghi chú are ignored)`,
        });
      } else if (index.has(key)) {
        problems.push({
          where: where(i, header.row),
          column: h,
          message: 'appears twice: keep one',
        });
      } else index.set(key, i);
    });
    for (const c of spec.columns) {
      if (c.required && !index.has(c.key)) {
        problems.push({
          where: `${quoteSheet(sheet.name)}!${header.row}`,
          column: '',
          message: `has no column ${c.vi} (${c.en}): add it (see \`nhagiao template ${spec.kind}\`)`,
        });
      }
    }
    const columns = new Map(
      [...index].map(([key, i]) => [key, { letter: columnLetter(i), header: headers[i]! }]),
    );
    let count = 0;
    let firstRow = true;
    for (const raw of sheet.rows) {
      if (raw.row <= header.row) continue;
      if (raw.cells.every(isBlank)) continue;
      // The English header row of a bilingual template, right under the Vietnamese one.
      const first = firstRow;
      firstRow = false;
      if (
        first &&
        [...index].every(([key, i]) => {
          const c = raw.cells[i];
          const column = spec.columns.find((x) => x.key === key)!;
          return (
            isBlank(c ?? null) ||
            headerKey(readText(c!)) === headerKey(column.en) ||
            headerKey(readText(c!)) === headerKey(column.vi)
          );
        })
      ) {
        continue;
      }
      count++;
      const values: Record<string, unknown> = {};
      let bad = false;
      for (const c of spec.columns) {
        const i = index.get(c.key);
        if (i === undefined) continue;
        const cell: CellValue = raw.cells[i] ?? null;
        if (isBlank(cell)) {
          if (c.required) {
            problems.push({
              where: where(i, raw.row),
              column: headers[i]!,
              message: `is empty: write ${c.hint}`,
            });
            bad = true;
          }
          continue;
        }
        try {
          values[c.key] = c.read(cell);
        } catch (e) {
          if (!(e instanceof CellError)) throw e;
          problems.push({ where: where(i, raw.row), column: headers[i]!, message: e.message });
          bad = true;
        }
      }
      if (bad) continue;
      try {
        rows.push({
          kind: spec.kind,
          sheet: sheet.name,
          ...(sheet.file === undefined ? {} : { file: sheet.file }),
          row: raw.row,
          drafts: spec.drafts(values),
          columns,
        });
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        const column = columns.get(e.column);
        problems.push({
          where:
            column === undefined
              ? `${quoteSheet(sheet.name)}!${raw.row}`
              : `${quoteSheet(sheet.name)}!${column.letter}${raw.row}`,
          column: column?.header ?? '',
          message: e.message,
        });
      }
    }
    found.push({ name: sheet.name, kind: spec.kind, rows: count });
  }
  return { rows, problems, sheets: found };
};
