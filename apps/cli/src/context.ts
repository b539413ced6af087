/**
 * What a command may touch of the outside world. main.ts builds it from `process`;
 * everything below takes it as an argument instead of reaching for globals.
 */
export interface Stream {
  /** Text, or bytes relayed as they came (`paas run`'s output). */
  write(chunk: string | Uint8Array): unknown;
}

export interface InputStream extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdin: InputStream;
  readonly stdout: Stream;
  readonly stderr: Stream & { readonly isTTY?: boolean };
}

/** Prompts need a person at a terminal on both ends. */
export function isInteractive(ctx: CliContext): boolean {
  return ctx.stdin.isTTY === true && ctx.stderr.isTTY === true;
}

export function createProcessContext(proc: NodeJS.Process): CliContext {
  return { env: proc.env, cwd: proc.cwd(), stdin: proc.stdin, stdout: proc.stdout, stderr: proc.stderr };
}
