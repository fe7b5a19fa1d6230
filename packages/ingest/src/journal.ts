import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * An import under way, as its journal records it. Written before the first
 * event is appended and removed once the file is done, so a crash leaves it
 * behind: `nhagiao status` shows it, and `nhagiao import` finishes the same
 * file (events already stored are duplicates by their ids, not written again)
 * or refuses another until it is finished or abandoned.
 */
export interface ImportRecord {
  /** The file as it was named, and its absolute path. */
  readonly name: string;
  readonly file: string;
  /** SHA-256 of the file's bytes: the same file is the same content, wherever it lies. */
  readonly sha256: string;
  readonly bytes: number;
  /** The `importedBy` every event of the import carries. */
  readonly importedBy: string;
  readonly startedAt: string;
  /** checking: the whole file decided, nothing appended; appending: window by window. */
  readonly phase: 'checking' | 'appending';
  /** Lines of the file whose events are all stored (appending on a store without transactions). */
  readonly linesStored: number;
  readonly updatedAt: string;
}

/** The journal of imports into one store: a small JSON file beside it, replaced whole on every write. */
export class ImportJournal {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  read(): ImportRecord | undefined {
    if (!existsSync(this.file)) return undefined;
    return JSON.parse(readFileSync(this.file, 'utf8')) as ImportRecord;
  }

  /** Writes the record durably: written aside, synced, renamed over the journal. */
  write(record: ImportRecord): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const next = `${this.file}.${process.pid}.tmp`;
    writeFileSync(next, `${JSON.stringify(record, null, 2)}\n`, { flush: true });
    renameSync(next, this.file);
  }

  /** The import is done (or abandoned): no record is left. */
  clear(): void {
    rmSync(this.file, { force: true });
  }
}
