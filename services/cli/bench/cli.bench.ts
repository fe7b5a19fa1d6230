/**
 * The `nhagiao` command as a person runs it: whole-process wall times of the
 * built command (`services/cli/dist/nhagiao.js`, what `bin` and `pnpm nhagiao`
 * run), each beside its baselines measured in the same run, runs alternated:
 *
 *   nhagiao --help                          vs  node -e 0 (target ≤ 5×), and the
 *                                               same command run from source (tsx)
 *   indicators --by unit --format json      vs  the same from source (tsx);
 *   over a store of N teachers                  target ≤ 400 ms whole process
 *
 * Median of several runs each. The store is made first by `nhagiao demo` (not
 * timed), and one query brings its read model to the head, so every timed query
 * reads a read model already caught up. The built and the source runs' answers
 * must be the same bytes.
 *
 * Usage: npx tsx services/cli/bench/cli.bench.ts [teachers=30000] [runs=7]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI_NODE_FLAGS } from '../src/node-flags.js';

const teachers = Number(process.argv[2] ?? 30_000);
const runs = Number(process.argv[3] ?? 7);
const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '../../..');
const built = path.join(repo, 'services/cli/dist/nhagiao.js');
const source = path.join(repo, 'services/cli/src/main.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-bench-cli-'));

/** One whole process: wall time in ms and its stdout; a failure stops the bench. */
const time = (args: readonly string[]): { ms: number; stdout: string } => {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${run.status ?? run.signal}: ${run.stderr}`);
  return { ms, stdout: run.stdout };
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;

interface Variant {
  readonly label: string;
  readonly args: readonly string[];
}

/** Each variant `runs` times, alternated, after one untimed run of each; medians in ms. */
const measure = (variants: readonly Variant[]): { medians: number[]; outputs: string[] } => {
  const outputs = variants.map((v) => time(v.args).stdout);
  const times = variants.map((): number[] => []);
  for (let i = 0; i < runs; i += 1) variants.forEach((v, k) => times[k]!.push(time(v.args).ms));
  return { medians: times.map(median), outputs };
};

try {
  process.stdout.write('building the command (scripts/build.mjs)…\n');
  execFileSync(process.execPath, [path.join(repo, 'services/cli/scripts/build.mjs'), '--quiet'], {
    stdio: 'inherit',
  });
  const data = ['--data-dir', path.join(dir, 'data')];
  process.stdout.write(
    `making a store of ${teachers.toLocaleString('en-US')} teachers (nhagiao demo, not timed)…\n`,
  );
  time([...CLI_NODE_FLAGS, built, 'demo', '--teachers', String(teachers), ...data]);

  const fromBuild = (...args: string[]) => [...CLI_NODE_FLAGS, built, ...args];
  const tsx = import.meta.resolve('tsx');
  const fromSource = (...args: string[]) => [...CLI_NODE_FLAGS, '--import', tsx, source, ...args];

  const help = measure([
    { label: 'node -e 0', args: ['-e', '0'] },
    { label: 'built', args: fromBuild('--help') },
    { label: 'source', args: fromSource('--help') },
  ]);
  const [nodeMs, helpMs, helpSourceMs] = help.medians as [number, number, number];
  const query = [
    'indicators',
    '--as-of',
    '2025-12-31',
    '--by',
    'unit',
    '--format',
    'json',
    ...data,
  ];
  const indicators = measure([
    { label: 'built', args: fromBuild(...query) },
    { label: 'source', args: fromSource(...query) },
  ]);
  const [queryMs, querySourceMs] = indicators.medians as [number, number];
  if (help.outputs[1] !== help.outputs[2] || indicators.outputs[0] !== indicators.outputs[1])
    throw new Error('the built command and the sources answered differently');
  const units = (JSON.parse(indicators.outputs[0]!) as unknown[]).length;

  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  process.stdout.write(
    [
      '',
      `whole process, median of ${runs} runs each (alternated), this run:`,
      `  nhagiao --help                   ${ms(helpMs)} = ${(helpMs / nodeMs).toFixed(1)}× node -e 0 (${ms(nodeMs)}); from source (tsx) ${ms(helpSourceMs)} = ${(helpSourceMs / nodeMs).toFixed(1)}×   target ≤ 5×: ${verdict(helpMs <= 5 * nodeMs)}`,
      `  indicators --by unit --format json, ${teachers.toLocaleString('en-US')} teachers (${units} rows)`,
      `                                   ${ms(queryMs)}; from source (tsx) ${ms(querySourceMs)} (${(querySourceMs / queryMs).toFixed(1)}× the built)   target ≤ 400 ms: ${verdict(queryMs <= 400)}`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
