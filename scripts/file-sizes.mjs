// @ts-check
/**
 * `node scripts/file-sizes.mjs [REF]`: the size distribution of the production
 * code — the TypeScript files under `packages/*\/src` and `services/*\/src`,
 * tests (`*.test.ts`) and test support left out — in lines: the median, the
 * 90th percentile and the largest five. Of the working tree, or of the commit
 * REF (`git show`), to compare before and after a change.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ref = process.argv[2];
const git = (...args) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 256 << 20 });

const isProduction = (file) =>
  /^(packages|services)\/[^/]+\/src\/.*\.ts$/.test(file) &&
  !file.endsWith('.test.ts') &&
  !file.endsWith('.d.ts') &&
  !file.includes('/test-support/');

const files = (ref === undefined ? git('ls-files') : git('ls-tree', '-r', '--name-only', ref))
  .split('\n')
  .filter(isProduction);
const lines = (file) => {
  const text =
    ref === undefined ? readFileSync(path.join(root, file), 'utf8') : git('show', `${ref}:${file}`);
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
};
const sizes = files.map((file) => ({ file, lines: lines(file) })).sort((a, b) => a.lines - b.lines);

/** Nearest-rank percentile. */
const percentile = (p) => sizes[Math.max(0, Math.ceil((p / 100) * sizes.length) - 1)]?.lines ?? 0;
const total = sizes.reduce((n, s) => n + s.lines, 0);
process.stdout.write(
  [
    `production TypeScript${ref === undefined ? '' : ` at ${ref}`}: ${sizes.length} files, ${total.toLocaleString('en-US')} lines`,
    `  median ${percentile(50)} lines, p90 ${percentile(90)} lines`,
    '  largest:',
    ...sizes
      .slice(-5)
      .reverse()
      .map((s) => `    ${String(s.lines).padStart(5)}  ${s.file}`),
    '',
  ].join('\n'),
);
