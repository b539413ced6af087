import { spawn } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';

import { type AppUser, type Sandbox, containedCommand } from '@paas/core';

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
export function runOnHost(command: string, args: readonly string[], options: RunOptions, containment: HostContainment = {}): Promise<RunResult> {
  return new Promise<RunResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      resolve({ exitCode: null, signal: 'SIGKILL' });
      return;
    }
    const contained = containedCommand(command, args, { ...containment, writable: options.mounts ?? [options.cwd], cwd: options.cwd });
    const child = spawn(contained.command, contained.args, {
      cwd: options.cwd,
      env: { ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      shell: false,
      ...(contained.user ? { uid: contained.user.uid, gid: contained.user.gid } : {}),
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

/** Who build steps run as, and in what sandbox (both need paasd to be root). */
export interface HostContainment {
  /** The app's user: it is given the build's dirs (see BuildEnvironment.claim). */
  readonly user?: AppUser | undefined;
  readonly sandbox?: Sandbox | undefined;
}

/** Gives `dirs`, and everything in them, to `user`; the dirs themselves 0700, so no other app looks in. */
async function chownTree(dirs: readonly string[], user: AppUser): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('chown', ['-R', '--', `${String(user.uid)}:${String(user.gid)}`, ...dirs], { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString('utf8')).slice(-2000)));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`chown exited with ${String(code)}: ${errors.trim()}`))));
  });
  for (const dir of dirs) await chmod(dir, 0o700);
}

/** The build environment that runs buildpacks directly on this machine. */
export function createHostEnvironment(containment: HostContainment = {}): BuildEnvironment {
  const { user } = containment;
  return {
    name: 'host',
    run: (command, args, options) => runOnHost(command, args, options, containment),
    ...(user ? { claim: (dirs: readonly string[]) => chownTree(dirs, user) } : {}),
  };
}
