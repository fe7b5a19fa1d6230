import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { FieldIssue } from '@nhagiao/domain';

/** One rejected item, kept with why it was rejected. */
export interface QuarantineEntry {
  readonly receivedAt: string;
  readonly source: string;
  readonly line: number;
  readonly actorId?: string;
  /** The rejected event's id (lower case), when it had one: its entry goes once that id is accepted. */
  readonly eventId?: string;
  readonly code: string;
  readonly message: string;
  readonly issues: readonly FieldIssue[];
  /** The item as it was sent (the text, when it was not JSON). */
  readonly item: unknown;
}

/** Where rejected input is kept, never silently dropped. */
export interface QuarantineStore {
  add(entries: readonly QuarantineEntry[]): void;
  list(filter?: {
    readonly actorId?: string;
    readonly limit?: number;
    readonly offset?: number;
  }): QuarantineEntry[];
  /** The event ids of the entries kept (a bounded set: the quarantine's own size). */
  quarantinedIds(): ReadonlySet<string>;
  /** Removes the entries of events since accepted: a rejection fixed and sent again is no longer pending. */
  resolve(eventIds: readonly string[]): void;
}

/**
 * A quarantine kept as an NDJSON file: one entry per line, appended and synced
 * in writes of up to 1,000 entries as a submission goes, readable with any text tool.
 */
const readEntries = (file: string): QuarantineEntry[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as QuarantineEntry)
    : [];

export const fileQuarantine = (file: string): QuarantineStore => ({
  add(entries) {
    if (entries.length === 0) return;
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, entries.map((e) => JSON.stringify(e)).join('\n') + '\n', { flush: true });
  },
  list({ actorId, limit = 100, offset = 0 } = {}) {
    const all = readEntries(file).filter((e) => actorId === undefined || e.actorId === actorId);
    return all.reverse().slice(offset, offset + limit);
  },
  quarantinedIds() {
    return new Set(readEntries(file).flatMap((e) => (e.eventId === undefined ? [] : [e.eventId])));
  },
  resolve(eventIds) {
    if (eventIds.length === 0) return;
    const gone = new Set(eventIds);
    const kept = readEntries(file).filter((e) => e.eventId === undefined || !gone.has(e.eventId));
    // Written aside and renamed over the file: a crash leaves the old file or the new one, whole.
    const next = `${file}.${process.pid}.tmp`;
    writeFileSync(next, kept.map((e) => JSON.stringify(e) + '\n').join(''), { flush: true });
    renameSync(next, file);
  },
});
