import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

import { createApi, type Api } from './api.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
/** paasd's launcher, run as a program: its first line gives node the flags paasd runs with. */
export const PAASD_BIN = join(REPO_ROOT, 'apps', 'paasd', 'bin', 'paasd.js');
const PAASD_MAIN = join(REPO_ROOT, 'apps', 'paasd', 'dist', 'src', 'main.js');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** `swarm` needs the engine to be a swarm manager (`docker swarm init --advertise-addr 127.0.0.1`). */
export type Runtime = 'local' | 'docker' | 'swarm';

export interface RunningPaasd {
  readonly api: Api;
  readonly routerPort: number;
  readonly pid: number;
  readonly dataDir: string;
  readonly runtime: Runtime;
  /** From spawn to the "router listening" line (both ports open). */
  readonly startedInMs: number;
  /** Destroys every app (paasd leaves processes running for adoption otherwise), stops paasd, removes its data. */
  stop(): Promise<void>;
}

export interface PaasdOptions {
  readonly runtime: Runtime;
  readonly env?: Readonly<Record<string, string>>;
  /** Every JSON log line paasd writes (e.g. a build's stage timings). */
  readonly onLog?: (entry: Readonly<Record<string, unknown>>) => void;
  /** Node flags to run paasd with instead of its launcher's (e.g. V8's default young generation, to compare). */
  readonly nodeFlags?: readonly string[];
}

/**
 * The launcher as a program, with this node first on PATH (its `env -S node` finds the same
 * node); or, given node flags, node with those flags and paasd's main module.
 */
export function paasdCommand(nodeFlags?: readonly string[]): { command: string; args: string[]; path: string } {
  const path = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
  return nodeFlags === undefined ? { command: PAASD_BIN, args: [], path } : { command: process.execPath, args: [...nodeFlags, PAASD_MAIN], path };
}

/** The node flags of the launcher's first line (`#!/usr/bin/env -S node --flag…`). */
export function launcherFlags(): string[] {
  const shebang = readFileSync(PAASD_BIN, 'utf8').split('\n', 1)[0] ?? '';
  const words = shebang.split(/\s+/);
  return words.slice(words.indexOf('node') + 1).filter((word) => word !== '');
}

/** Starts the real paasd on free ports with its own data dir and token. */
export async function startPaasd(options: PaasdOptions): Promise<RunningPaasd> {
  const dataDir = await mkdtemp(join(tmpdir(), 'paas-bench-'));
  const token = randomBytes(24).toString('hex');
  const started = performance.now();
  // PAAS_BENCH_PROFILE_DIR: paasd writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  // node refuses --cpu-prof in NODE_OPTIONS: it goes on the command line, after the launcher's own flags.
  const profileDir = process.env.PAAS_BENCH_PROFILE_DIR;
  const profiling = profileDir === undefined || profileDir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const launch = paasdCommand(options.nodeFlags === undefined && profiling.length === 0 ? undefined : [...(options.nodeFlags ?? launcherFlags()), ...profiling]);
  const child = spawn(launch.command, launch.args, {
    cwd: dataDir,
    env: {
      PATH: launch.path,
      HOME: process.env.HOME ?? dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      PAAS_ROUTER_PORT: '0',
      PAAS_RENDEZVOUS_PORT: '0',
      PAAS_ROUTER_TLS_PORT: '0',
      // After the free-port defaults: a benchmark may fix ports (the nginx plane needs them).
      ...options.env,
      PAAS_RUNTIME: options.runtime,
      PAAS_DATA_DIR: dataDir,
      PAAS_API_TOKEN: token,
      PAAS_STOP_GRACE: '5',
      // With PAAS_BENCH_PAASD_LOG, PAAS_BENCH_LOG_LEVEL=debug adds the process manager's stage timings.
      ...(process.env.PAAS_BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.PAAS_BENCH_LOG_LEVEL } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // PAAS_BENCH_PAASD_LOG: every line paasd writes is appended there too, to read a run's events afterwards.
  const logFile = process.env.PAAS_BENCH_PAASD_LOG;
  const keep = logFile === undefined || logFile === '' ? undefined : createWriteStream(logFile, { flags: 'a' });
  try {
    const ports = await waitForPorts(child, (line) => {
      output = `${output}${line}\n`.slice(-20_000);
      keep?.write(`${line}\n`);
    }, options.onLog);
    const api = createApi(`http://127.0.0.1:${String(ports.api)}`, token);
    return {
      api,
      routerPort: ports.router,
      pid: child.pid ?? 0,
      dataDir,
      runtime: options.runtime,
      startedInMs: performance.now() - started,
      stop: () => stopPaasd(api, child, dataDir, options.runtime).finally(() => keep?.end()),
    };
  } catch (error) {
    keep?.end();
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`paasd did not start: ${error instanceof Error ? error.message : String(error)}\n${output}`);
  }
}

async function stopPaasd(api: Api, child: ChildProcess, dataDir: string, runtime: Runtime): Promise<void> {
  try {
    const apps = await api.call<{ name: string }[]>('GET', '/apps');
    await Promise.all(apps.map((app) => api.request('DELETE', `/apps/${app.name}`)));
  } catch (error) {
    process.stderr.write(`bench: could not destroy apps before stopping paasd: ${String(error)}\n`);
  }
  await stopChild(child);
  // On Docker paasd makes its installation's network (`paas-<sha256 of the data dir, 16 hex>`) and keeps it: removed here.
  if (runtime === 'docker') spawnSync('docker', ['network', 'rm', `paas-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`], { stdio: 'ignore', timeout: 30_000 });
  await rm(dataDir, { recursive: true, force: true });
}

/** Reads pino's JSON lines until both ports are known (`api listening`, then `router listening`); keeps draining stdout. */
function waitForPorts(
  child: ChildProcess,
  record: (line: string) => void,
  onLog?: (entry: Readonly<Record<string, unknown>>) => void,
): Promise<{ api: number; router: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "router listening" line within ${String(START_TIMEOUT_MS)} ms`)), START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      reject(new Error(`paasd exited early (code ${String(code)}, signal ${String(signal)})`));
    };
    child.once('exit', onExit);
    if (!child.stdout) throw new Error('paasd was spawned without a stdout pipe');
    let api: number | undefined;
    createInterface({ input: child.stdout }).on('line', (line) => {
      record(line);
      let entry: { msg?: unknown; port?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return; // not a JSON log line
      }
      onLog?.(entry);
      if (typeof entry.port !== 'number') return;
      if (entry.msg === 'api listening') api = entry.port;
      if (entry.msg === 'router listening' && api !== undefined) {
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        resolve({ api, router: entry.port });
      }
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
