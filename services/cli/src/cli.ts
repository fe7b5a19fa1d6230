import { parseArgs } from 'node:util';
import { DomainError } from '@nhagiao/domain';
import type { Command, CommandContext } from './command.js';
import { CliError } from './errors.js';
import { type CommandEntry, commands } from './commands/index.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

const mainHelp = (): string =>
  [
    'nhagiao — theo dõi đào tạo, bồi dưỡng nhà giáo giáo dục nghề nghiệp',
    '          (tracking the training and standardisation of VET teachers)',
    '',
    'Usage: nhagiao <command> [options]    (nhagiao <command> --help for more)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(12)}${c.summary}`),
    '',
  ].join('\n');

const commandHelp = (entry: CommandEntry, c: Command): string =>
  [`Usage: nhagiao ${c.usage}`, '', entry.summary, ...(c.help ? ['', c.help] : []), ''].join('\n');

/** Turns an error into the one line a person reads. */
export const describeError = (e: unknown): { message: string; exitCode: number } => {
  if (e instanceof CliError) return { message: e.message, exitCode: e.exitCode };
  if (e instanceof DomainError) return { message: e.message, exitCode: 2 };
  // Errors from Node itself may come from another realm (a test sandbox): no instanceof.
  if (typeof e === 'object' && e !== null && 'message' in e) {
    const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined;
    if (code?.startsWith('ERR_PARSE_ARGS')) return { message: String(e.message), exitCode: 64 };
    return { message: `${String(e.message)}${code ? ` (${code})` : ''}`, exitCode: 1 };
  }
  return { message: String(e), exitCode: 1 };
};

/** Runs one command line; resolves to the exit code. Never throws. */
export const runCli = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return name === undefined ? 64 : 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(
      `nhagiao: unknown command ${JSON.stringify(name)}. Run nhagiao --help for the list.\n`,
    );
    return 64;
  }
  try {
    const command = await entry.load();
    const { values, positionals } = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout.write(commandHelp(entry, command));
      return 0;
    }
    const ctx: CommandContext = {
      values,
      positionals,
      stdout: io.stdout,
      stderr: io.stderr,
      stdin: io.stdin,
      env: io.env,
      signal: io.signal ?? new AbortController().signal,
    };
    return await command.run(ctx);
  } catch (e) {
    const { message, exitCode } = describeError(e);
    io.stderr.write(`nhagiao ${name}: ${message}\n`);
    if (io.env.NHAGIAO_DEBUG && e instanceof Error && e.stack !== undefined)
      io.stderr.write(`${e.stack}\n`);
    return exitCode;
  }
};
