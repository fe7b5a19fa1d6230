import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
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

const HOST = hostname().replace(/[^A-Za-z0-9]/g, '_');
const DECIDED =
  /^\.import-decided-(.+)-(\d+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.ndjson$/;

const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user holds the pid.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A new file in the data directory for the writes an import's check decides
 * (removed by the import when done), named with this machine and process.
 * Those an import killed mid-way on this machine left behind go first: named
 * with a process no longer running, or with this one (one import at a time
 * runs in a process, so a file of its own is from an earlier process that had
 * the same id, as the first process of a container always has). Files of
 * other machines sharing the directory are left to them.
 */
export const decidedWritesFile = (config: DataConfig): string => {
  mkdirSync(config.dataDir, { recursive: true });
  for (const name of readdirSync(config.dataDir)) {
    const match = DECIDED.exec(name);
    if (match === null || match[1] !== HOST) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || !running(pid))
      rmSync(path.join(config.dataDir, name), { force: true });
  }
  return path.join(config.dataDir, `.import-decided-${HOST}-${process.pid}-${randomUUID()}.ndjson`);
};
