import { execFile } from 'node:child_process';
import { join } from 'node:path';

import { REPO_ROOT } from './paasd-process.js';

export const PAAS_BIN = join(REPO_ROOT, 'apps', 'cli', 'bin', 'paas.js');

export interface PaasRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI as a user would, with stdin not a terminal. Only PATH and the
 * given variables reach it, so the developer's own ~/.netrc and PAAS_* never leak in.
 */
export function runPaas(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<PaasRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [PAAS_BIN, ...args],
      { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...options.env }, encoding: 'utf8', timeout: options.timeoutMs ?? 30_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`paas ${args.join(' ')} did not run: ${error.message}`, { cause: error }));
          return;
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}
