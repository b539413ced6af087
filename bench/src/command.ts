import { execFile, type ExecFileOptions } from 'node:child_process';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program with an argument array (never a shell) and collects its output; never rejects. */
export function run(file: string, args: readonly string[], options: ExecFileOptions = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', ...options }, (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: number | string }).code ?? 1) : 0;
      resolve({ code: Number.isFinite(code) ? code : 1, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Like `run`, but throws with the output when the program fails. */
export async function runOrThrow(file: string, args: readonly string[], options: ExecFileOptions = {}): Promise<string> {
  const result = await run(file, args, options);
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${String(result.code)}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}
