export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure the CLI explains itself: the message says what happened and what to do. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
  }
}

/**
 * The command has already shown the user all there is (`paas run` relayed the remote
 * command's output): exit with this code and print nothing more.
 */
export class SilentExit extends Error {
  readonly exitCode: number;

  constructor(exitCode: number) {
    super(`exit ${String(exitCode)}`);
    this.name = 'SilentExit';
    this.exitCode = exitCode;
  }
}

/** The command was called wrongly (exit code 2). */
export function usageError(message: string): CliError {
  return new CliError(message, { exitCode: EXIT_USAGE });
}

/** heroku/cli's error style: every line prefixed with ` ▸    `. */
export function formatErrorLines(message: string): string {
  return `${message
    .trimEnd()
    .split('\n')
    .map((line) => ` ▸    ${line}`)
    .join('\n')}\n`;
}
