/**
 * Figures of earlier runs, kept as data (`bench/history.json`) rather than in
 * the README or code comments: `pnpm bench NAME` prints a benchmark's history
 * after its own figures, so each run's numbers sit beside those of the runs
 * before (compare ratios to a baseline: the machines' speed varies).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface HistoryEntry {
  /** Which run or change the figures come from. */
  readonly when: string;
  readonly what: string;
  readonly measured: string;
  readonly target: string;
}

interface History {
  /** What to keep in mind when comparing runs. */
  readonly note: string;
  readonly benches: Readonly<Record<string, readonly HistoryEntry[]>>;
}

const historyFile = path.join(path.dirname(new URL(import.meta.url).pathname), 'history.json');

export const readHistory = (): History => JSON.parse(readFileSync(historyFile, 'utf8')) as History;

/** The lines `printHistory` writes for `bench`; none when it has no history. */
export const historyLines = (bench: string, history: History = readHistory()): string[] => {
  const entries = history.benches[bench] ?? [];
  if (entries.length === 0) return [];
  return [
    `--- ${bench}: earlier runs (bench/history.json; ${history.note})`,
    ...entries.map(
      (e) =>
        `  [${e.when}] ${e.what}: ${e.measured}${e.target === '' ? '' : ` (target ${e.target})`}`,
    ),
  ];
};

export const printHistory = (bench: string): void => {
  const lines = historyLines(bench);
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
};
