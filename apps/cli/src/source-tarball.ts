import { spawn } from 'node:child_process';

import { CliError } from './cli-error.js';
import { tarInvocation } from './source-files.js';
import type { SourceFiles } from './source-files.js';

/** tar's complaints worth showing; a broken tree can make it print a line per file. */
const STDERR_LIMIT = 8 * 1024;

export interface SourceTarball {
  /** The gzipped tarball as tar writes it; after the last chunk it throws a CliError if tar failed. */
  readonly stream: AsyncIterable<Uint8Array>;
  /** Ends tar if it still runs (the upload was refused or broke off). */
  readonly stop: () => void;
}

interface TarExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

/** Spawns tar (an argument array, never a shell) to pack `dir`; the caller owns the result and must stop it. */
export function startSourceTarball(dir: string, source: SourceFiles): SourceTarball {
  const { args, stdin } = tarInvocation(dir, source);
  const child = spawn('tar', args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false, windowsHide: true });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += text;
  });
  const exited = new Promise<TarExit>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  // tar that died early closes its stdin: its exit status says why, not this EPIPE
  child.stdin.on('error', () => undefined);
  child.stdin.end(stdin ?? '');
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };

  async function* stream(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for await (const chunk of child.stdout) yield chunk as Buffer;
    } catch {
      // stdout breaks when tar cannot start or dies; the exit below names the reason
    }
    const exit = await exited;
    if (!stopped) checkExit(dir, exit, stderr);
  }
  return { stream: stream(), stop };
}

function checkExit(dir: string, exit: TarExit, stderr: string): void {
  if (exit.error) {
    const code = (exit.error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT'
        ? 'tar is not installed or not on PATH: paas deploy needs it to pack the directory.'
        : `tar could not be started to pack ${dir}: ${exit.error.message}`,
      { cause: exit.error },
    );
  }
  if (exit.code === 0) return;
  const status = exit.code === null ? `signal ${String(exit.signal)}` : `status ${String(exit.code)}`;
  const detail = stderr.trim() === '' ? '' : `:\n${stderr.trim()}`;
  throw new CliError(`tar could not pack ${dir} (it exited with ${status}), so nothing was deployed${detail}`);
}
