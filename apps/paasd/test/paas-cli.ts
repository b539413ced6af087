import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** The CLI's entry point; its `dist/` is built by `npx tsc -b` with the rest. */
const PAAS_BIN = join(import.meta.dirname, '..', '..', '..', 'cli', 'bin', 'paas.js');
const PAAS_MAIN = join(import.meta.dirname, '..', '..', '..', 'cli', 'dist', 'src', 'main.js');

export interface PaasRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The real `paas` CLI against a running paasd, as a user runs it: stdin not a terminal, a
 * HOME of its own, and only PATH and the API's address and token in its environment.
 */
export function paasCli(t: TestContext, target: { readonly api: () => string; readonly token: string }): (args: readonly string[], timeoutMs?: number) => Promise<PaasRun> {
  if (!existsSync(PAAS_MAIN)) throw new Error(`the CLI is not built (${PAAS_MAIN} is missing): run npx tsc -b first`);
  const home = mkdtempSync(join(tmpdir(), 'paas-cli-home-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  return (args, timeoutMs = 180_000) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        process.execPath,
        [PAAS_BIN, ...args],
        { cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home, PAAS_API_URL: target.api(), PAAS_API_TOKEN: target.token }, encoding: 'utf8', timeout: timeoutMs },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number') return reject(new Error(`paas ${args.join(' ')} did not run: ${error.message}\n${stderr}`, { cause: error }));
          resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
        },
      );
      child.stdin?.end();
    });
}
