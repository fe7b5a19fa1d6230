import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface Child {
  readonly process: ChildProcess;
  /** Resolves with the first JSON log line that satisfies `test`. */
  waitForLine(
    test: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  kill9(): Promise<void>;
  /** Sends a signal (SIGSTOP, SIGCONT…) without waiting for anything. */
  signal(name: NodeJS.Signals): void;
  /** Every JSON line it wrote so far. */
  readonly lines: readonly Record<string, unknown>[];
  /** SIGTERM, then waits for a clean exit. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Runs `support/<script>` under tsx, in its own process, so a test can SIGKILL it. */
export const spawnChild = (script: string, args: readonly string[]): Child => {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const waiters: {
    test: (l: Record<string, unknown>) => boolean;
    done: (l: Record<string, unknown>) => void;
  }[] = [];
  let stderr = '';
  const lines: Record<string, unknown>[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 10_000) stderr += chunk;
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    lines.push(line);
    // NHAGIAO_TEST_LOG=1: the child's log beside the test's own, for a look at what a fault did.
    if (process.env['NHAGIAO_TEST_LOG'] === '1')
      process.stderr.write(`${Date.now()} ${script}[${child.pid}] ${text}\n`);
    for (const w of [...waiters])
      if (w.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.done(line);
      }
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    process: child,
    waitForLine: (test, timeoutMs = 30_000) =>
      new Promise((resolveLine, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${script}: no such log line in ${timeoutMs} ms\n${stderr}`)),
          timeoutMs,
        );
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(
            new Error(`${script} exited (${String(code)}) before the awaited line\n${stderr}`),
          );
        });
        waiters.push({
          test,
          done: (l) => {
            clearTimeout(timer);
            resolveLine(l);
          },
        });
      }),
    lines,
    signal(name) {
      if (child.exitCode === null && child.signalCode === null) child.kill(name);
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
};

/** For afterEach: nothing a test started outlives it. */
export const killChildren = (): void => {
  for (const c of running) c.kill('SIGKILL');
};
