import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** What a command gets: its parsed flags and positionals, and where to write. */
export interface CommandContext {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
  readonly stdout: NodeJS.WritableStream;
  /** Progress and summaries for a person: never the command's data output. */
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly options: OptionSpec;
  /** Detailed help printed by `nhagiao <command> --help`. */
  readonly help?: string;
  /** Resolves to the exit code. */
  run(ctx: CommandContext): Promise<number>;
}
