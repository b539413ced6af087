import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to run one add-on's server: a binary and its arguments, never a shell line. */
export interface ServerSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** The server's own output goes here (opened by paasd, so the server cannot reach other files through it). */
  readonly logFile: string;
  /** The server's pid, for the next paasd to adopt it. */
  readonly pidFile: string;
  /** Signal for a clean, quick stop (postgres: SIGINT is its fast shutdown). */
  readonly stopSignal: NodeJS.Signals;
}

/** A server that ran this long before dying starts its backoff again from the beginning. */
const STABLE_MS = 60_000;

/** Wait before restarting a server that died: 0.25 s, doubling, at most 30 s. */
export function restartDelayMs(crashes: number): number {
  return Math.min(30_000, 250 * 2 ** Math.max(0, crashes - 1));
}

export interface ServerSupervisor {
  /** Adopts the server its pid file names when it still runs, else starts one. */
  start(): Promise<void>;
  /** Stops supervising and stops the server (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** Stops supervising; the server keeps running. */
  release(): void;
  pid(): number | undefined;
}

export interface SupervisorEvents {
  /** The server died (`restartInMs` later it is started again). */
  onExit(detail: { code: number | null; signal: string | null; restartInMs: number }): void;
}

function alive(pid: number, command: string): boolean {
  try {
    const argv0 = readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').split('\0')[0] ?? '';
    const state = /^State:\s+(\w)/m.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1];
    // A zombie has exited: only its exit status is left for its parent.
    return state !== 'Z' && (argv0 === command || argv0.endsWith(`/${command.split('/').at(-1) ?? ''}`) || argv0.startsWith(command));
  } catch {
    // No such process (or it is gone between the two reads).
    return false;
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    // No pid file: nothing to adopt.
    return undefined;
  }
}

/**
 * Owns one server process: starts it detached (it outlives paasd, like app processes),
 * adopts it after a paasd restart, and restarts it with backoff whenever it dies.
 */
export function createServerSupervisor(spec: ServerSpec, events: SupervisorEvents): ServerSupervisor {
  let current: number | undefined;
  let supervising = false;
  let crashes = 0;
  let startedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;

  const died = (code: number | null, signal: string | null): void => {
    if (poll) clearInterval(poll);
    poll = undefined;
    current = undefined;
    if (!supervising) return;
    crashes = Date.now() - startedAt > STABLE_MS ? 1 : crashes + 1;
    const restartInMs = restartDelayMs(crashes);
    events.onExit({ code, signal, restartInMs });
    timer = setTimeout(() => {
      timer = undefined;
      if (supervising) launch();
    }, restartInMs);
  };

  const watch = (pid: number): void => {
    // Not our child (adopted): its exit is seen by polling.
    poll = setInterval(() => {
      if (!alive(pid, spec.command)) died(null, null);
    }, 500);
    poll.unref();
  };

  const launch = (): void => {
    const log = openSync(spec.logFile, 'a', 0o600);
    try {
      const child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: { ...spec.env },
        stdio: ['ignore', log, log],
        detached: true,
        shell: false,
        ...(spec.uid === undefined ? {} : { uid: spec.uid }),
        ...(spec.gid === undefined ? {} : { gid: spec.gid }),
      });
      startedAt = Date.now();
      child.once('error', () => died(null, null));
      child.once('exit', (code, signal) => died(code, signal));
      child.unref();
      if (child.pid !== undefined) {
        current = child.pid;
        writeFileSync(spec.pidFile, `${String(child.pid)}\n`, { mode: 0o600 });
      }
    } finally {
      closeSync(log);
    }
  };

  return {
    async start() {
      supervising = true;
      const pid = readPid(spec.pidFile);
      if (pid !== undefined && alive(pid, spec.command)) {
        current = pid;
        startedAt = Date.now();
        watch(pid);
        return;
      }
      launch();
    },
    async stop(graceMs = 15_000) {
      supervising = false;
      if (timer) clearTimeout(timer);
      const pid = current ?? readPid(spec.pidFile);
      if (pid !== undefined && alive(pid, spec.command)) {
        process.kill(pid, spec.stopSignal);
        const deadline = Date.now() + graceMs;
        while (alive(pid, spec.command) && Date.now() < deadline) await sleep(50);
        if (alive(pid, spec.command)) process.kill(pid, 'SIGKILL');
        while (alive(pid, spec.command)) await sleep(20);
      }
      if (poll) clearInterval(poll);
      current = undefined;
      rmSync(spec.pidFile, { force: true });
    },
    release() {
      supervising = false;
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
    },
    pid: () => current,
  };
}
