import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

import { unmountUnder } from '@paas/runtime';
import { killLeftoverProcesses } from '@paas/runtime/testing';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
export const PAASD_BIN = join(REPO_ROOT, 'apps', 'paasd', 'bin', 'paasd.js');
const PAASD_MAIN = join(REPO_ROOT, 'apps', 'paasd', 'dist', 'src', 'main.js');

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

export interface RunningPaasd {
  readonly url: string;
  readonly token: string;
  /** Its data dir (the platform CA is `tls/ca.crt` in it). */
  readonly dataDir: string;
  /** Everything paasd printed so far, for failure messages. */
  readonly output: () => string;
  readonly stop: () => Promise<void>;
}

/** Why the paasd tests cannot run here, or undefined when they can. */
export function paasdMissingReason(): string | undefined {
  return existsSync(PAASD_MAIN) ? undefined : `paasd is not built (${PAASD_MAIN} is missing): run npx tsc -b first`;
}

export interface PaasdOptions {
  /** More PAAS_* settings, e.g. `PAAS_RUNTIME: 'local'` to run builds and apps as host processes. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts the real paasd on free ports with its own data dir and token; resolves once the API listens. */
export async function startPaasd(options: PaasdOptions = {}): Promise<RunningPaasd> {
  const dataDir = await mkdtemp(join(tmpdir(), 'paas-cli-paasd-'));
  const token = randomBytes(24).toString('hex');
  // The launcher as a program, as every start does; its `env -S node` finds this node first.
  const child = spawn(PAASD_BIN, [], {
    cwd: dataDir,
    env: {
      PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
      // Test receivers (log drains, buildpack repos) listen on loopback.
      PAAS_ALLOW_PRIVATE_TARGETS: '1',
      ...options.env,
      PORT: '0',
      PAAS_ROUTER_PORT: '0',
      PAAS_RENDEZVOUS_PORT: '0',
      PAAS_ROUTER_TLS_PORT: '0',
      PAAS_DATA_DIR: dataDir,
      PAAS_API_TOKEN: token,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // Processes outlive paasd on purpose, for the next paasd to adopt; there is none here. Their
  // mounted app dirs must go before the data dir can.
  const stop = (): Promise<void> =>
    stopChild(child).finally(async () => {
      await killLeftoverProcesses(dataDir);
      await unmountUnder(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    });
  try {
    const port = await waitForListening(child, (line) => (output += `${line}\n`));
    return { url: `http://127.0.0.1:${String(port)}`, token, dataDir, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`paasd did not start: ${error instanceof Error ? error.message : String(error)}\n${output}`);
  }
}

/** Reads pino's JSON lines until `api listening` with a port; keeps draining stdout afterwards. */
function waitForListening(child: ChildProcess, record: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "api listening" line within ${String(START_TIMEOUT_MS)} ms`)), START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      reject(new Error(`paasd exited early (code ${String(code)}, signal ${String(signal)})`));
    };
    child.once('exit', onExit);
    if (!child.stdout) throw new Error('paasd was spawned without a stdout pipe');
    createInterface({ input: child.stdout }).on('line', (line) => {
      record(line);
      const port = listeningPort(line);
      if (port === undefined) return;
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      resolve(port);
    });
  });
}

function listeningPort(line: string): number | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return entry.msg === 'api listening' && typeof entry.port === 'number' ? entry.port : undefined;
  } catch {
    return undefined; // not a JSON log line: paasd's business, not a port
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
