import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  type ChunkedItems,
  type ImportRecord,
  type DecidedAppended,
  type IngestReport,
  type InputItem,
  type ItemOutcome,
  createIngestor,
  fileQuarantine,
  ndjsonItems,
  storeStreams,
} from '@nhagiao/ingest';
import { ConcurrencyError, StoreUnavailableError } from '@nhagiao/eventstore/core';
import { catchUp } from '@nhagiao/projector/embedded';
import type { Command, CommandContext } from '../command.js';
import { type DataConfig, dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { CliError, usageError } from '../errors.js';
import { Progress, perSecond, seconds } from '../progress.js';
import {
  HOW_TO_RESOLVE,
  decidedWritesFile,
  describeUnfinished,
  importJournal,
} from '../import-journal.js';
import { embeddedReadModel, openReadModel, openStore, planOf } from '../runtime.js';

const MAX_DUPLICATE_LINES = 20;

/** A spreadsheet by its name, or by its bytes: every .xlsx file is a ZIP archive. */
const spreadsheetFormat = (file: string): 'xlsx' | 'csv' | undefined => {
  if (/\.xlsx$/i.test(file)) return 'xlsx';
  if (/\.csv$/i.test(file)) return 'csv';
  if (file === '-') return undefined;
  const head = Buffer.alloc(512);
  const fd = openSync(file, 'r');
  let read: number;
  try {
    read = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read >= 4 && head.readUInt32BE(0) === 0x504b0304) return 'xlsx';
  return undefined;
};

/**
 * Why a file given as NDJSON is not: its first line is a CSV header (an export
 * from Excel), not a JSON object. Undefined when it looks like NDJSON.
 */
export const looksLikeCsv = (head: string): boolean => {
  const first =
    head
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .find((l) => l.trim() !== '') ?? '';
  return !/^\s*[[{]/.test(first) && /^[^{}[\]"]*[,;]/.test(first);
};

/**
 * A store without transactions is scanned for its stream names before an
 * import when it holds fewer events than one per this many bytes of the file
 * (about half the file's lines): one pass over a small log costs less than
 * reading each of the file's streams.
 */
const SCAN_BYTES_PER_EVENT = 500;

/** How often at most the journal's mark of the lines stored is written during an append. */
const JOURNAL_MARK_MS = 250;

/** How many refusals of a reference to something registered later are held back to be printed with their hint. */
const MAX_HELD = 10_000;

const REGISTRATION_KEY: Readonly<Record<string, readonly [string, string]>> = {
  TeacherRegistered: ['teacher', 'teacherId'],
  UnitRegistered: ['unit', 'unitId'],
  ProgrammeRegistered: ['programme', 'programmeId'],
};

/**
 * The items of a file as the ingestor reads them, counted, with the line of
 * each registration kept: a refusal of a teacher, unit or programme that the
 * same file registers further down can then say so.
 */
const watched = (items: ChunkedItems) => {
  const registeredAt = new Map<string, number>();
  let lines = 0;
  const note = (part: readonly InputItem[]): readonly InputItem[] => {
    for (const item of part) {
      lines += 1;
      const v = item.value as { type?: unknown; data?: Record<string, unknown> } | null;
      if (typeof v !== 'object' || v === null || typeof v.type !== 'string') continue;
      const key = REGISTRATION_KEY[v.type];
      const id = key === undefined ? undefined : v.data?.[key[1]];
      if (key !== undefined && typeof id === 'string' && !registeredAt.has(`${key[0]} ${id}`)) {
        registeredAt.set(`${key[0]} ${id}`, item.line);
      }
    }
    return part;
  };
  async function* chunks(): AsyncGenerator<readonly InputItem[]> {
    for await (const part of items.chunks()) yield note(part);
  }
  return {
    items: {
      chunks,
      async *[Symbol.asyncIterator]() {
        for await (const part of chunks()) yield* part;
      },
    } as ChunkedItems,
    lines: () => lines,
    /** Where the file registers what `message` says is not registered, when that is after `line`. */
    laterRegistration: (line: number, message: string): number | undefined => {
      const m = /^(teacher|unit|programme) (\S+) is not registered/.exec(message);
      const at = m === null ? undefined : registeredAt.get(`${m[1]} ${m[2]}`);
      return at !== undefined && at > line ? at : undefined;
    },
  };
};

const UNKNOWN_REFERENCE = new Set(['unknown-teacher', 'unknown-unit', 'unknown-programme']);

const firstBytes = (file: string): string => {
  const head = Buffer.alloc(4096);
  const fd = openSync(file, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
};

const sha256Of = async (file: string): Promise<{ sha256: string; bytes: number }> => {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
};

export interface ImportSummary {
  readonly reports: readonly IngestReport[];
  readonly rejected: number;
}

/** Imports NDJSON sources into the store, then brings the embedded read model up to date. */
export const importFiles = async (
  ctx: Pick<CommandContext, 'stdout' | 'stderr' | 'stdin' | 'signal'>,
  config: DataConfig,
  files: readonly string[],
  options: { partial?: boolean; quiet?: boolean; planCode?: unknown; abandon?: boolean } = {},
): Promise<ImportSummary> => {
  for (const file of files) {
    if (file === '-') continue;
    if (!existsSync(file)) throw new CliError(`cannot read ${file}: no such file`);
    if (!statSync(file).isFile()) throw new CliError(`cannot read ${file}: not a file`);
  }
  const journal = importJournal(config);
  const unfinished = journal.read();
  if (unfinished !== undefined && options.abandon) {
    journal.clear();
    ctx.stderr.write(
      `${describeUnfinished(unfinished)}: abandoned (events it stored stay in the store; importing ${unfinished.name} again skips them as duplicates)\n`,
    );
  } else if (unfinished !== undefined) {
    // Refused before anything is read or stored, unless one of the files is the unfinished one.
    const digests = await Promise.all(
      files.filter((f) => f !== '-' && spreadsheetFormat(f) === undefined).map(sha256Of),
    );
    if (!digests.some((d) => d.sha256 === unfinished.sha256))
      throw new CliError(
        `${describeUnfinished(unfinished)}, and no file named here is that file: ${HOW_TO_RESOLVE(unfinished)}`,
      );
  }
  const plan = planOf(options.planCode);
  const store = await openStore(config);
  const reports: IngestReport[] = [];
  let rejected = 0;
  let appendedAny = false;
  const ingestor = createIngestor({
    store,
    quarantine: fileQuarantine(path.join(config.dataDir, 'quarantine.ndjson')),
  });
  /** Standard input is kept in a file first, so that it can be read twice and recognised again. */
  let spooled: string | undefined;
  try {
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      const name = file === '-' ? 'stdin' : file;
      // Every event of one file carries the file's import id: \`history\` tells backfill from late records by it.
      let metadata = { importedBy: `nhagiao import ${randomUUID()}` };
      const format = spreadsheetFormat(file);
      if (format !== undefined) {
        // Spreadsheets named one after another are one import: a workbook saved as CSV files.
        const group = [{ file, format }];
        for (let next = files[i + 1]; next !== undefined; next = files[i + 1]) {
          const nextFormat = spreadsheetFormat(next);
          if (nextFormat === undefined) break;
          group.push({ file: next, format: nextFormat });
          i++;
        }
        const names = group.map((g) => g.file).join(', ');
        const { importSpreadsheet } = await import('@nhagiao/sheets');
        const sheet = await importSpreadsheet({
          readStream: (stream) => store.readStream(stream),
          ingestor,
          files: group.map((g) => ({
            bytes: readFileSync(g.file),
            name: path.basename(g.file),
            format: g.format,
          })),
          metadata,
          signal: ctx.signal,
        });
        for (const problem of sheet.problems) {
          const own = group.some((g) => problem.startsWith(`${path.basename(g.file)}:`));
          ctx.stderr.write(own || group.length > 1 ? `${problem}\n` : `${name} ${problem}\n`);
        }
        const kinds = sheet.sheets.map((x) => `${x.name}: ${x.kind}, ${x.rows}`).join('; ');
        const verdict =
          sheet.problems.length > 0
            ? `REJECTED — nothing stored from ${group.length > 1 ? 'these files' : 'this file'} (${sheet.problems.length} problem(s); fix the cells named above and import again)`
            : `${sheet.appended} events appended (${sheet.corrections} correction(s)), ${sheet.unchanged} already recorded, ${sheet.duplicates} duplicates`;
        ctx.stderr.write(
          `${names}: ${verdict}; ${sheet.rows} rows (${kinds}) in ${seconds(sheet.durationMs)}\n`,
        );
        if (sheet.problems.length > 0) rejected += sheet.problems.length;
        if (sheet.appended > 0) appendedAny = true;
        continue;
      }
      if (file !== '-' && looksLikeCsv(firstBytes(file))) {
        ctx.stderr.write(
          `${name}:1 this looks like CSV, not NDJSON: name it FILE.csv and use \`import FILE.csv\` (see \`nhagiao template\`), or send one JSON envelope per line\n`,
        );
        rejected += 1;
        continue;
      }
      let readFrom = file;
      if (file === '-') {
        mkdirSync(config.dataDir, { recursive: true });
        spooled = path.join(config.dataDir, `.stdin-${process.pid}-${randomUUID()}.ndjson`);
        const out = createWriteStream(spooled, { flush: true });
        await pipeline(ctx.stdin, out);
        readFrom = spooled;
      }
      const { sha256, bytes } = await sha256Of(readFrom);
      const open = journal.read();
      if (open !== undefined && open.sha256 !== sha256)
        throw new CliError(
          `${describeUnfinished(open)}: ${HOW_TO_RESOLVE(open)}; ${name} was not imported`,
        );
      if (open !== undefined) {
        metadata = { importedBy: open.importedBy };
        ctx.stderr.write(
          `${name}: finishing the import started ${open.startedAt} (events already stored are skipped as duplicates)\n`,
        );
      }
      const started = new Date().toISOString();
      let record: ImportRecord = {
        name,
        file: file === '-' ? '-' : path.resolve(file),
        sha256,
        bytes,
        importedBy: metadata.importedBy,
        startedAt: open?.startedAt ?? started,
        phase: 'checking',
        linesStored: open?.linesStored ?? 0,
        updatedAt: started,
      };
      journal.write(record);
      /** A store without transactions takes a large file in windows: checked whole first, then appended. */
      const windowed = store.transaction === undefined;
      const progress = new Progress(ctx.stderr);
      let duplicatesShown = 0;
      let source = watched(ndjsonItems(createReadStream(readFrom)));
      // Refusals of something the file may register further down wait for the end of the file.
      const held: { line: number; path: string; message: string }[] = [];
      const print = (line: number, where: string, message: string): void => {
        ctx.stderr.write(`${name}:${line} ${where}: ${message}\n`);
      };
      const onOutcome = (o: ItemOutcome): void => {
        if (o.status === 'rejected') {
          const issues = o.issues.length === 0 ? [{ path: '', message: o.message }] : o.issues;
          for (const issue of issues) {
            const message =
              o.code === 'id-conflict'
                ? `${issue.message} (text is compared after Unicode NFC normalisation, so the content really differs: give a new event a new id, or correct the stored one with EventRetracted)`
                : issue.message;
            if (UNKNOWN_REFERENCE.has(o.code) && held.length < MAX_HELD) {
              held.push({ line: o.line, path: issue.path, message });
            } else if (issue.path === '' && o.issues.length === 0) {
              ctx.stderr.write(`${name}:${o.line} ${message}\n`);
            } else print(o.line, issue.path || '(line)', message);
          }
        } else if (
          o.status === 'duplicate' &&
          !options.quiet &&
          duplicatesShown++ < MAX_DUPLICATE_LINES
        ) {
          const where =
            o.position === undefined ? 'earlier in this file' : `position ${o.position}`;
          ctx.stderr.write(`${name}:${o.line} duplicate of event ${o.id} (${where}), skipped\n`);
        }
      };
      // A clean check's decisions, kept for the append that follows it (removed after).
      const decidedFile = windowed && !options.partial ? decidedWritesFile(config) : undefined;
      // Into a small store, the names of its streams in one pass: the file's other streams are
      // not read. Only before a check, whose append falls back on a stream created meanwhile.
      const knownStreams =
        decidedFile !== undefined
          ? await storeStreams(store, {
              maxEvents: Math.ceil(bytes / SCAN_BYTES_PER_EVENT),
              maxStreams: 50_000,
              signal: ctx.signal,
            })
          : undefined;
      let report: IngestReport;
      try {
        report = await ingestor.ingest(source.items, {
          ...(knownStreams === undefined ? {} : { knownStreams }),
          source: name,
          mode: options.partial || windowed ? 'partial' : 'all-or-nothing',
          ...(decidedFile !== undefined ? { check: true, decided: decidedFile } : {}),
          metadata,
          keepOutcomes: false,
          onOutcome,
          onProgress: (p) => progress.update(`${name}: kiểm tra / validating`, p.done),
          signal: ctx.signal,
        });
      } catch (error) {
        if (decidedFile !== undefined) rmSync(decidedFile, { force: true });
        throw error;
      }
      let storedBefore = false;
      if (decidedFile !== undefined && report.rejected === 0) {
        // Checked whole: now appended window by window as decided, the journal marking each window stored.
        record = { ...record, phase: 'appending', updatedAt: new Date().toISOString() };
        journal.write(record);
        const checked = report;
        // The mark is written (and synced) at most every JOURNAL_MARK_MS: a window is
        // stored every few milliseconds, and a resumed import reads the whole file anyway.
        let markedAt = 0;
        const onStored = (line: number): void => {
          record = { ...record, linesStored: line, updatedAt: new Date().toISOString() };
          const now = performance.now();
          if (now - markedAt < JOURNAL_MARK_MS) return;
          markedAt = now;
          journal.write(record);
        };
        const started = performance.now();
        let decided: DecidedAppended;
        try {
          decided = await ingestor.appendDecided(decidedFile, {
            onStored,
            onProgress: (p) => progress.update(`${name}: ghi / appending`, p.done),
            signal: ctx.signal,
          });
        } finally {
          rmSync(decidedFile, { force: true });
        }
        const { stopped } = decided;
        if (stopped === undefined) {
          report = {
            source: checked.source,
            appended: decided.appended,
            duplicates: checked.duplicates,
            rejected: 0,
            items: checked.items,
            durationMs: checked.durationMs + (performance.now() - started),
          };
        } else {
          if (!(stopped instanceof ConcurrencyError || stopped instanceof StoreUnavailableError))
            throw stopped;
          // Another writer moved a stream since the check, or the store failed mid-way:
          // what is stored stays, and the rest is decided again against the store.
          ctx.stderr.write(
            `${name}: ${stopped.message}; appending the rest of the file after deciding it again (events already stored are skipped as duplicates)\n`,
          );
          source = watched(ndjsonItems(createReadStream(readFrom)));
          const appending = await ingestor.ingest(source.items, {
            source: name,
            mode: 'partial',
            metadata,
            keepOutcomes: false,
            // Duplicates were shown by the check; a rejection now is a race with another writer.
            onOutcome: (o) => (o.status === 'rejected' ? onOutcome(o) : undefined),
            onProgress: (p) => progress.update(`${name}: ghi / appending`, p.done),
            onStored,
            signal: ctx.signal,
          });
          // What was appended before the stop is met again as duplicates by the second pass.
          report = {
            ...appending,
            appended: decided.appended + appending.appended,
            duplicates: Math.max(0, appending.duplicates - decided.appended),
            durationMs: checked.durationMs + (performance.now() - started),
          };
        }
      } else if (windowed && report.rejected > 0) storedBefore = open?.phase === 'appending';
      // Done, or refused with nothing of it stored: no import is left unfinished.
      if (!storedBefore) journal.clear();
      for (const h of held) {
        const later = source.laterRegistration(h.line, h.message);
        print(
          h.line,
          h.path || '(line)',
          later === undefined
            ? h.message
            : `${h.message} — it is registered later, at line ${later} of this file: order the file by date, registrations first`,
        );
      }
      progress.done();
      reports.push(report);
      rejected += report.rejected;
      if (report.appended > 0) appendedAny = true;
      if (duplicatesShown > MAX_DUPLICATE_LINES) {
        ctx.stderr.write(
          `${name}: … and ${duplicatesShown - MAX_DUPLICATE_LINES} more duplicates\n`,
        );
      }
      // Every line read: a refused all-or-nothing file appends none of its valid lines either.
      const total = source.lines();
      const verdict =
        // (On EventStoreDB a file that passed its check may still lose a line to another writer's race.)
        report.rejected > 0 && !options.partial && report.appended === 0
          ? `REJECTED — nothing appended from this file (${report.rejected} of ${total} lines rejected, kept in ${path.join(config.dataDir, 'quarantine.ndjson')})`
          : `${report.appended} appended, ${report.duplicates} duplicates, ${report.rejected} rejected`;
      ctx.stderr.write(
        `${name}: ${verdict}; ${total} lines in ${seconds(report.durationMs)} (${perSecond(total, report.durationMs)} events/s)\n`,
      );
    }
    if (!options.quiet)
      ctx.stderr.write(`store head: position ${(await store.head()) ?? 'none (empty)'}\n`);
  } finally {
    if (spooled !== undefined) rmSync(spooled, { force: true });
    ingestor.close();
    await store.close();
  }
  if (embeddedReadModel(config) && appendedAny) {
    const readModel = await openReadModel(config);
    const reader = await openStore(config, { readOnly: true });
    try {
      const progress = new Progress(ctx.stderr);
      const result = await catchUp({
        store: reader,
        readModel,
        indicators: plan.indicators,
        onProgress: (done) => progress.update('read model / mô hình đọc', done),
        signal: ctx.signal,
      });
      progress.done();
      if (!options.quiet) {
        ctx.stderr.write(
          `read model updated: ${result.applied} events projected in ${seconds(result.durationMs)}\n`,
        );
      }
    } finally {
      await reader.close();
      await readModel.close();
    }
  }
  return { reports, rejected };
};

export const importCommand: Command = {
  name: 'import',
  usage: 'import FILE.ndjson|FILE.xlsx|FILE.csv… [--partial] [--abandon-import]',
  options: {
    ...dataOptions,
    partial: { type: 'boolean' },
    plan: { type: 'string' },
    'abandon-import': { type: 'boolean' },
  },
  help: `Each line is one envelope (see docs/events.md). Every line is validated and
decided in order. By default a file is all or nothing: if any line is rejected,
nothing from that file is appended, every rejected line is reported as
FILE:LINE FIELD: REASON and kept in DIR/quarantine.ndjson, and the exit code is 2.
Events already stored (same id, same content) are reported and skipped.

A FILE.xlsx or FILE.csv is a spreadsheet of records (units, teachers and hires,
degrees, certificates, programmes, enrolments, transfers, leaves; templates from
\`nhagiao template KIND\`). Each row becomes events with ids derived from its
natural key: importing the same sheet again appends nothing, rows added append
only theirs, a changed row appends a retraction and the corrected fact. Every
bad cell is named (Sheet!C12 (header): why) and nothing is stored. CSV: UTF-8,
with or without BOM, separated by , or ;. Spreadsheets named one after another
are imported together (a workbook saved as CSV files). A spreadsheet import is
always all or nothing. See packages/sheets/README.md.

An NDJSON import is recorded in a journal beside the store (the file's
SHA-256, how far it got) from its start to its end. On SQLite a file is one
transaction: a crash stores nothing of it. On EventStoreDB (no transactions) a
file is first checked whole, appending nothing (a rejected line: nothing
stored), then appended in windows of 2,000 events; a crash leaves the windows
stored so far. Either way \`nhagiao status\` shows the unfinished import,
importing the same file again finishes it (what is stored is skipped as
duplicates, never appended twice), and another file is refused until then.

  --partial           append the valid lines and quarantine the rest
  --abandon-import    forget an unfinished import (what it stored stays), then import FILEs
${dataOptionsHelp}`,
  async run(ctx) {
    const abandon = ctx.values['abandon-import'] === true;
    if (ctx.positionals.length === 0 && !abandon)
      throw usageError('name at least one FILE (or - for stdin)');
    const config = dataConfig(ctx.values, ctx.env);
    const { rejected } = await importFiles(ctx, config, ctx.positionals, {
      partial: ctx.values.partial === true,
      planCode: ctx.values.plan,
      abandon,
    });
    return rejected > 0 ? 2 : 0;
  },
};
