import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

import { unmountUnder } from '@paas/runtime';

import { PAASD_BIN } from './paths.js';
import { killLeftoverProcesses } from './process-sweep.js';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export interface RunningPaasd {
  /** The API, the git endpoint and the dashboard. */
  readonly url: string;
  readonly routerPort: number;
  readonly domain: string;
  readonly token: string;
  /** Everything paasd printed so far. */
  readonly output: () => string;
  /** An authenticated API request; throws on a status of 400 or more. */
  readonly api: (method: string, path: string, body?: unknown) => Promise<unknown>;
  /** Destroys every app (which stops its processes), stops paasd, kills what is left, removes the data dir. */
  readonly stop: () => Promise<void>;
}

export interface PaasdOptions {
  readonly domain: string;
  /** More settings, e.g. `PAAS_RUNTIME: 'local'`. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The environment paasd inherits: ours, without any PAAS_* or listening settings of the caller's. */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('PAAS_') || key === 'PORT' || key === 'HOST') continue;
    env[key] = value;
  }
  return env;
}

/** Starts the real paasd on free ports with its own data dir and token; resolves once the API and the router listen. */
export async function startPaasd(options: PaasdOptions): Promise<RunningPaasd> {
  const dataDir = await mkdtemp(join(tmpdir(), 'paas-e2e-'));
  const token = randomBytes(24).toString('hex');
  // The launcher as a program, as every start does; its `env -S node` finds this node first.
  const child = spawn(PAASD_BIN, [], {
    cwd: dataDir,
    env: {
      ...inheritedEnv(),
      PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
      // Test receivers (log drains, buildpack repos) listen on loopback.
      PAAS_ALLOW_PRIVATE_TARGETS: '1',
      ...options.env,
      HOST: '127.0.0.1',
      PORT: '0',
      PAAS_ROUTER_PORT: '0',
      PAAS_RENDEZVOUS_PORT: '0',
      PAAS_ROUTER_TLS_PORT: '0',
      PAAS_DOMAIN: options.domain,
      PAAS_DATA_DIR: dataDir,
      PAAS_API_TOKEN: token,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ports = waitForPorts(child, (line) => (output += `${line}\n`));
  let url = '';
  const api = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: ${String(response.status)} ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };
  const stop = async (): Promise<void> => {
    try {
      if (url !== '' && child.exitCode === null) await destroyApps(api);
    } finally {
      await stopChild(child);
      await killLeftoverProcesses(dataDir);
      await unmountUnder(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  try {
    const { apiPort, routerPort } = await ports;
    url = `http://127.0.0.1:${String(apiPort)}`;
    return { url, routerPort, domain: options.domain, token, output: () => output, api, stop };
  } catch (error) {
    await stop();
    throw new Error(`paasd did not start: ${error instanceof Error ? error.message : String(error)}\n${output}`);
  }
}

/** paasd leaves app processes running for the next paasd to adopt; a test must not. */
async function destroyApps(api: RunningPaasd['api']): Promise<void> {
  const apps = (await api('GET', '/apps')) as { name: string }[];
  for (const app of apps) await api('DELETE', `/apps/${encodeURIComponent(app.name)}`);
}

/** Reads pino's JSON lines until both `api listening` and `router listening`; keeps draining stdout afterwards. */
function waitForPorts(child: ChildProcess, record: (line: string) => void): Promise<{ apiPort: number; routerPort: number }> {
  return new Promise((resolve, reject) => {
    let apiPort: number | undefined;
    const timer = setTimeout(() => reject(new Error(`paasd did not listen within ${String(START_TIMEOUT_MS)} ms`)), START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      reject(new Error(`paasd exited early (code ${String(code)}, signal ${String(signal)})`));
    };
    child.once('exit', onExit);
    if (!child.stdout) throw new Error('paasd was spawned without a stdout pipe');
    createInterface({ input: child.stdout }).on('line', (line) => {
      record(line);
      const entry = parseLine(line);
      if (entry?.msg === 'api listening' && typeof entry.port === 'number') apiPort = entry.port;
      if (entry?.msg !== 'router listening' || typeof entry.port !== 'number' || apiPort === undefined) return;
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      resolve({ apiPort, routerPort: entry.port });
    });
  });
}

function parseLine(line: string): { msg?: unknown; port?: unknown } | undefined {
  try {
    return JSON.parse(line) as { msg?: unknown; port?: unknown };
  } catch {
    return undefined; // not a JSON log line: nothing to learn from it
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
