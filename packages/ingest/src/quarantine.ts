import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FieldIssue } from '@nhagiao/domain';

/** One rejected item, kept with why it was rejected. */
export interface QuarantineEntry {
  readonly receivedAt: string;
  readonly source: string;
  readonly line: number;
  readonly actorId?: string;
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
}

/**
 * A quarantine kept as an NDJSON file: one entry per line, appended and synced
 * in writes of up to 1,000 entries as a submission goes, readable with any text tool.
 */
export const fileQuarantine = (file: string): QuarantineStore => ({
  add(entries) {
    if (entries.length === 0) return;
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, entries.map((e) => JSON.stringify(e)).join('\n') + '\n', { flush: true });
  },
  list({ actorId, limit = 100, offset = 0 } = {}) {
    if (!existsSync(file)) return [];
    const all = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as QuarantineEntry)
      .filter((e) => actorId === undefined || e.actorId === actorId);
    return all.reverse().slice(offset, offset + limit);
  },
});
