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

/** A temporary data dir and a way to run `nhagiao` in process against it. */
export const cliSandbox = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-cli-'));
  let files = 0;
  return {
    dir,
    /** Runs one command line; `--data-dir` is added. */
    async run(args: readonly string[], stdin = ''): Promise<CliRun> {
      const out = collect();
      const err = collect();
      const code = await runCli([...args, '--data-dir', dir], {
        stdout: out.stream,
        stderr: err.stream,
        stdin: Readable.from([stdin]),
        env: {},
      });
      return { code, stdout: out.text(), stderr: err.text() };
    },
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
