import type { Actor, IngestOptions, IngestReport, InputItem, ItemOutcome } from '@nhagiao/ingest';
import type { SheetKind } from './kinds.js';
import { type Origin, type StreamReader, type TeacherReadable, planImport } from './plan.js';
import { type RawSheet, type SheetFormat, SheetFormatError, readSpreadsheet } from './read.js';
import { type CellProblem, cellOf, formatProblem, readSheets } from './rows.js';

/** The write side the import hands its events to: an `Ingestor` of @nhagiao/ingest fits. */
export interface SheetIngestor {
  ingest(items: Iterable<InputItem>, options: IngestOptions): Promise<IngestReport>;
}

export interface SheetFile {
  readonly bytes: Uint8Array;
  /** The file's name: in messages, in the events' metadata and, for a CSV file, the sheet's name. */
  readonly name: string;
  readonly format?: SheetFormat;
}

export interface SheetImportOptions {
  /** Reads a stream of the store: rows are compared with what is already recorded. */
  readonly readStream: StreamReader;
  readonly ingestor: SheetIngestor;
  /**
   * The files, imported together as one submission (the CSV files of one
   * workbook, say): every row of every file is checked, the streams they are
   * about are read once, and the events are ordered across the files.
   */
  readonly files: readonly SheetFile[];
  readonly actor?: Actor;
  /**
   * Whether the key may read what is stored about a teacher (see `TeacherReadable`):
   * give it for every key that is not the Sở's, or rows would be compared with,
   * and messages quote, another unit's teachers. Undefined: every teacher is readable.
   */
  readonly mayReadTeacher?: TeacherReadable;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface SheetImportReport {
  readonly source: string;
  readonly sheets: readonly {
    readonly name: string;
    readonly kind: SheetKind;
    readonly rows: number;
  }[];
  /** Rows of data read. */
  readonly rows: number;
  /** Events the rows stand for that were handed to the ingestor (new facts, corrections, retractions). */
  readonly events: number;
  readonly appended: number;
  readonly duplicates: number;
  /** Rows' events already recorded with the same content: nothing to do. */
  readonly unchanged: number;
  /** Changed rows: each a retraction of the stored event and the fact as the row now says. */
  readonly corrections: number;
  /** Every problem, each naming its cell or row: when there is one, nothing is stored. */
  readonly problems: readonly string[];
  readonly durationMs: number;
}

const refusal = (
  o: Extract<ItemOutcome, { status: 'rejected' }>,
  origin: Origin | undefined,
): string[] => {
  if (origin === undefined) return [`item ${o.line}: ${o.message}`];
  const { row } = origin;
  const at = `${row.sheet}!${row.row}`;
  if (origin.kind === 'retraction') {
    return [
      `${at}: this row changes ${origin.retracts!.type} ${origin.retracts!.id}, recorded earlier; retracting it is refused: ${o.message}`,
    ];
  }
  const problems: CellProblem[] = (
    o.issues.length > 0 ? o.issues : [{ path: '', message: o.message }]
  ).map((issue) => {
    const field = issue.path.startsWith('data.') ? issue.path.slice(5).split('.')[0]! : '';
    const cell = cellOf(row, field);
    return cell === undefined
      ? { where: at, column: '', message: issue.message }
      : { where: cell.ref, column: cell.header, message: issue.message };
  });
  return problems.map(formatProblem);
};

/**
 * Imports an XLSX or CSV file: reads every sheet, names every bad cell (then
 * nothing is stored), compares the rows with what the store holds, and ingests
 * the new facts and corrections all or nothing.
 */
export const importSpreadsheet = async (
  options: SheetImportOptions,
): Promise<SheetImportReport> => {
  const started = performance.now();
  const source = options.files.map((f) => f.name).join(', ');
  const empty = {
    source,
    sheets: [],
    rows: 0,
    events: 0,
    appended: 0,
    duplicates: 0,
    unchanged: 0,
    corrections: 0,
  };
  const raw: RawSheet[] = [];
  const unreadable: string[] = [];
  for (const file of options.files) {
    try {
      raw.push(...(await readSpreadsheet(file.bytes, file.name, file.format)));
    } catch (e) {
      if (!(e instanceof SheetFormatError)) throw e;
      unreadable.push(`${file.name}: ${e.message}`);
    }
  }
  if (unreadable.length > 0) {
    return { ...empty, problems: unreadable, durationMs: performance.now() - started };
  }
  const read = readSheets(raw);
  const base = { ...empty, sheets: read.sheets, rows: read.rows.length };
  if (read.problems.length > 0) {
    return {
      ...base,
      problems: read.problems.map(formatProblem),
      durationMs: performance.now() - started,
    };
  }
  if (read.rows.length === 0) {
    return {
      ...base,
      problems: [
        `${source}: holds no row of data under its headers: fill in the template (\`nhagiao template KIND\`)`,
      ],
      durationMs: performance.now() - started,
    };
  }
  const plan = await planImport(read.rows, options.readStream, source, options.mayReadTeacher);
  const counts = {
    ...base,
    events: plan.items.length,
    unchanged: plan.unchanged,
    corrections: plan.corrections,
  };
  if (plan.problems.length > 0) {
    return {
      ...counts,
      problems: plan.problems.map(formatProblem),
      durationMs: performance.now() - started,
    };
  }
  if (plan.items.length === 0) {
    return { ...counts, problems: [], durationMs: performance.now() - started };
  }
  const problems: string[] = [];
  const report = await options.ingestor.ingest(plan.items, {
    source,
    mode: 'all-or-nothing',
    keepOutcomes: false,
    ...(options.actor === undefined ? {} : { actor: options.actor }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onOutcome: (o) => {
      if (o.status === 'rejected') problems.push(...refusal(o, plan.origins[o.line - 1]));
    },
  });
  return {
    ...counts,
    appended: report.appended,
    duplicates: report.duplicates,
    problems,
    durationMs: performance.now() - started,
  };
};
