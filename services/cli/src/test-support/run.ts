import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../cli.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const collect = (): { stream: PassThrough; text: () => string } => {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
};

/** Runs one `nhagiao` command line in process, with no environment and empty stdin. */
export const runNhagiao = async (args: readonly string[], stdin = ''): Promise<CliRun> => {
  const out = collect();
  const err = collect();
  const code = await runCli([...args], {
    stdout: out.stream,
    stderr: err.stream,
    stdin: Readable.from([stdin]),
    env: {},
  });
  return { code, stdout: out.text(), stderr: err.text() };
};

/**
 * Starts `nhagiao ARGS` from source as a real process and SIGKILLs it once
 * `ready(stderr)` holds; fails if it ends first or never gets that far (2 min).
 */
export const killWhen = async (
  args: readonly string[],
  ready: (stderr: string) => boolean,
): Promise<void> => {
  const main = path.join(__dirname, '..', 'main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = once(child, 'exit');
  const started = Date.now();
  while (!ready(stderr)) {
    if (child.exitCode !== null)
      throw new Error(`the process finished before it could be killed:\n${stderr}`);
    if (Date.now() - started > 120_000)
      throw new Error('the process never got far enough to be killed');
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  await exited;
};

/** A temporary data dir and a way to run `nhagiao` in process against it. */
export const cliSandbox = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-cli-'));
  let files = 0;
  return {
    dir,
    /** Runs one command line; `--data-dir` is added. */
    run: (args: readonly string[], stdin = ''): Promise<CliRun> =>
      runNhagiao([...args, '--data-dir', dir], stdin),
    /** Writes envelopes (or raw lines) as an NDJSON file and returns its path. */
    file(lines: readonly unknown[]): string {
      const file = path.join(dir, `input-${++files}.ndjson`);
      writeFileSync(
        file,
        lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n',
      );
      return file;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
};

let seq = 0;
/** A fresh UUID-shaped id, deterministic within a test run. */
export const nextId = (): string => `10000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

export const ev = (
  type: string,
  data: Record<string, unknown>,
): { id: string; type: string; data: Record<string, unknown> } => ({
  id: nextId(),
  type,
  data,
});
