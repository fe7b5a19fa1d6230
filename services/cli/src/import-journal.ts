import { createHash } from 'node:crypto';
import path from 'node:path';
import { ImportJournal, type ImportRecord } from '@nhagiao/ingest';
import type { DataConfig } from './config.js';

/**
 * The journal of NDJSON imports into the configured store: beside the SQLite
 * file, or in the data directory for EventStoreDB (one per store URL).
 */
export const importJournal = (config: DataConfig): ImportJournal =>
  new ImportJournal(
    config.store.kind === 'sqlite'
      ? `${config.store.path}.import.json`
      : path.join(
          config.dataDir,
          `esdb-import-${createHash('sha256').update(config.store.url).digest('hex').slice(0, 12)}.json`,
        ),
  );

/** What `status` and a refused import say of an unfinished one. */
export const describeUnfinished = (r: ImportRecord): string =>
  `the import of ${r.name} (sha256 ${r.sha256.slice(0, 12)}…, started ${r.startedAt}, ${r.phase === 'appending' ? `lines 1–${r.linesStored} stored` : 'checking, nothing of it stored yet'}) is unfinished`;

export const HOW_TO_RESOLVE = (r: ImportRecord): string =>
  `run \`nhagiao import ${r.file}\` again to finish it (what it stored is skipped, nothing is appended twice), or give it up with \`nhagiao import --abandon-import\` (events it stored stay in the store)`;
