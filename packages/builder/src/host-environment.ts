import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

import type { BuildEnvironment, RunOptions, RunResult } from './build-environment.js';

/** Sends `signal` to a whole process group; a group that is already gone is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: every process of the group has exited already, which is what we want.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Runs a command as a host process in its own process group (`detached: true`), so
 * that a timeout or a cancel kills the whole tree. When the command itself exits, any
 * process it left behind in its group is killed too: a build step owns what it starts.
 */
export function runOnHost(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise<RunResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      resolve({ exitCode: null, signal: 'SIGKILL' });
      return;
    }
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: { ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      shell: false,
    });
    let settled = false;
    const pid = child.pid;
    const onAbort = (): void => {
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.pipe(options.stdout, { end: false });
    child.stderr.pipe(options.stderr, { end: false });
    // 'close' below waits for both pipes to reach their end. If a destination goes away
    // (destroyed after an error), the pipe detaches and nobody would read to the end:
    // read on and discard, so that a killed command still settles.
    const releases = [drainWhenDropped(child.stdout, options.stdout), drainWhenDropped(child.stderr, options.stderr)];
    child.once('error', (error) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.once('exit', () => {
      // Stragglers (a server started in the background, a `sleep &`) hold our pipes
      // open and would outlive the build: end them with their parent.
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
    });
    child.once('close', (exitCode, signal) => {
      for (const release of releases) release();
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode, signal });
    });
  });
}

function drainWhenDropped(source: Readable, target: Writable): () => void {
  const drop = (): void => {
    source.unpipe(target);
    source.resume();
  };
  target.once('close', drop);
  target.once('error', drop);
  return () => {
    target.off('close', drop);
    target.off('error', drop);
  };
}

/** The build environment that runs buildpacks directly on this machine. */
export function createHostEnvironment(): BuildEnvironment {
  return { name: 'host', run: runOnHost };
}
