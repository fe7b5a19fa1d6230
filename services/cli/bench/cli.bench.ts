/**
 * The `nhagiao` command as a person runs it: whole-process wall times of the
 * built command (`services/cli/bin/nhagiao.js`, the package's `bin`, which runs
 * `dist/nhagiao.js` as `pnpm nhagiao` does), each beside its baselines measured in the same run, runs alternated:
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
 * (DATA_DIR=DIR: query the store already there, made by `nhagiao demo
 * --teachers N --data-dir DIR`, instead of making one.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { CLI_NODE_FLAGS } from '../src/node-flags.js';

const teachers = Number(process.argv[2] ?? 30_000);
const runs = Number(process.argv[3] ?? 7);
const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '../../..');
const built = path.join(repo, 'services/cli/bin/nhagiao.js');
const source = path.join(repo, 'services/cli/src/main.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-bench-cli-'));

/**
 * Loaded first into every timed process: at exit it reports the process's CPU
 * time (user + system) on stderr, so a run on a shared machine can be read by
 * what the process did as well as by the wall clock.
 */
const CPU_PROBE = `data:text/javascript,${encodeURIComponent(
  "process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\ncpu-us '+(u.user+u.system)+'\\n')})",
)}`;

/** One whole process: wall and CPU time in ms and its stdout; a failure stops the bench. */
const time = (args: readonly string[]): { ms: number; cpuMs: number; stdout: string } => {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--import', CPU_PROBE, ...args], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${run.status ?? run.signal}: ${run.stderr}`);
  const cpu = /cpu-us (\d+)/.exec(run.stderr);
  if (cpu === null) throw new Error(`node ${args.join(' ')} did not report its CPU time`);
  return { ms, cpuMs: Number(cpu[1]) / 1000, stdout: run.stdout };
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

interface Measured {
  /** Median wall time of each variant, ms. */
  readonly medians: number[];
  /** Median CPU time of each variant, ms. */
  readonly cpu: number[];
  readonly outputs: string[];
}

/** Each variant `runs` times, alternated, after one untimed run of each. */
const measure = (variants: readonly Variant[]): Measured => {
  const outputs = variants.map((v) => time(v.args).stdout);
  const walls = variants.map((): number[] => []);
  const cpus = variants.map((): number[] => []);
  for (let i = 0; i < runs; i += 1)
    variants.forEach((v, k) => {
      const t = time(v.args);
      walls[k]!.push(t.ms);
      cpus[k]!.push(t.cpuMs);
    });
  return { medians: walls.map(median), cpu: cpus.map(median), outputs };
};

try {
  process.stdout.write('building the command (scripts/build.mjs)…\n');
  execFileSync(process.execPath, [path.join(repo, 'services/cli/scripts/build.mjs'), '--quiet'], {
    stdio: 'inherit',
  });
  const given = process.env['DATA_DIR'];
  const data = ['--data-dir', given ?? path.join(dir, 'data')];
  if (given === undefined) {
    process.stdout.write(
      `making a store of ${teachers.toLocaleString('en-US')} teachers (nhagiao demo, not timed)…\n`,
    );
    time([...CLI_NODE_FLAGS, built, 'demo', '--teachers', String(teachers), ...data]);
  } else process.stdout.write(`querying the store in ${given}…\n`);

  const fromBuild = (...args: string[]) => [...CLI_NODE_FLAGS, built, ...args];
  const tsx = import.meta.resolve('tsx');
  const fromSource = (...args: string[]) => [...CLI_NODE_FLAGS, '--import', tsx, source, ...args];

  const help = measure([
    { label: 'node -e 0', args: ['-e', '0'] },
    { label: 'built', args: fromBuild('--help') },
    { label: 'source', args: fromSource('--help') },
  ]);
  const [nodeMs, helpMs, helpSourceMs] = help.medians as [number, number, number];
  const [nodeCpu, helpCpu, helpSourceCpu] = help.cpu as [number, number, number];
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
  const [queryCpu, querySourceCpu] = indicators.cpu as [number, number];
  if (help.outputs[1] !== help.outputs[2] || indicators.outputs[0] !== indicators.outputs[1])
    throw new Error('the built command and the sources answered differently');
  const units = (JSON.parse(indicators.outputs[0]!) as unknown[]).length;

  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  const [load1] = loadavg() as [number];
  process.stdout.write(
    [
      '',
      `whole process, median of ${runs} runs each (alternated), this run (load average ${load1.toFixed(1)} on ${availableParallelism()} cores):`,
      `  nhagiao --help                   wall ${ms(helpMs)} = ${(helpMs / nodeMs).toFixed(1)}× node -e 0 (${ms(nodeMs)}); from source (tsx) ${ms(helpSourceMs)} = ${(helpSourceMs / nodeMs).toFixed(1)}×   target ≤ 5×: ${verdict(helpMs <= 5 * nodeMs)}`,
      `                                   CPU  ${ms(helpCpu)} = ${(helpCpu / nodeCpu).toFixed(1)}× node -e 0 (${ms(nodeCpu)}); from source (tsx) ${ms(helpSourceCpu)}`,
      `  indicators --by unit --format json, ${teachers.toLocaleString('en-US')} teachers (${units} rows)`,
      `                                   wall ${ms(queryMs)}; from source (tsx) ${ms(querySourceMs)} (${(querySourceMs / queryMs).toFixed(1)}× the built)   target ≤ 400 ms: ${verdict(queryMs <= 400)}`,
      `                                   CPU  ${ms(queryCpu)}; from source (tsx) ${ms(querySourceCpu)}`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
