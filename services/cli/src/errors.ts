/** An error the user can act on: printed as one line, never a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    /** 2: input rejected; 1: anything else; 64: bad usage (as sysexits' EX_USAGE). */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const usageError = (message: string): CliError => new CliError(message, 64);
