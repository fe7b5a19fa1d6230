/**
 * The `nhagiao` command's entry point: in the build, `dist/nhagiao.js`, which
 * the package's `bin` (`bin/nhagiao.js`) runs. Each command's code is loaded when it runs (commands/index.ts).
 */
import { runCli } from './cli.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => controller.abort(new Error(`stopped by ${signal}`)));
}

// A closed pipe (`nhagiao indicators | head`) is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
