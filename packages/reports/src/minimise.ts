import type { AnnualReport } from './types.js';

/** Orders lines by what they show, so the order gives away nothing of the ids taken out. */
const byContent = <T>(lines: readonly T[]): T[] =>
  lines
    .map((line) => ({ line, key: JSON.stringify(line) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((l) => l.line);

/**
 * The report as a key without access to personal data receives it (a
 * reporter): every line keeps what it counts (levels taught, mode, verdict and
 * failing requirements; level, institution and dates of a study) but not whom —
 * no teacher id, no name — and the lines are ordered by their content instead
 * of by teacher id. Counts and indicators are the same as in the full report.
 */
export const withoutPersonalData = (report: AnnualReport): AnnualReport => ({
  ...report,
  standard: byContent(report.standard.map((s) => ({ ...s, teacherId: null, fullName: null }))),
  postgraduate: byContent(
    report.postgraduate.map((p) => ({ ...p, teacherId: null, fullName: null })),
  ),
});
