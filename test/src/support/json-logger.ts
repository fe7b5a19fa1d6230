import type { Logger } from '@nhagiao/bus';

const line =
  (level: string) =>
  (message: string, fields?: Record<string, unknown>): void => {
    process.stdout.write(`${JSON.stringify({ level, message, ...fields, at: Date.now() })}\n`);
  };

/** One JSON line per log call on stdout: what a child process tells the test. */
export const jsonLogger: Logger = { info: line('info'), warn: line('warn'), error: line('error') };
