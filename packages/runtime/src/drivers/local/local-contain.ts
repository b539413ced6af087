import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { chmod, chown } from 'node:fs/promises';

import { type AppUser, type Sandbox, containedCommand } from '@paas/core';

import { isMountPoint } from './local-app-dir.js';
import { runCommand } from './local-host.js';
import { WAITING_PROFILE_WRAPPER, profileWrapperArgs } from '../shared/profile-wrapper.js';

/**
 * Hands a process's app dir to its app user: the top of the dir (an overlay's upper layer,
 * so new files, renames and deletions) or, for a copy, every file in it. 0700, so other
 * apps' users cannot look in even when they can reach the path.
 */
export async function giveAppDir(processDir: string, appDir: string, user: AppUser | undefined): Promise<void> {
  if (!user) return;
  if (!(await isMountPoint(processDir, appDir))) await runCommand('chown', ['-R', '--', `${String(user.uid)}:${String(user.gid)}`, appDir]);
  else await chown(appDir, user.uid, user.gid);
  await chmod(appDir, 0o700);
}

/**
 * Starts `command` through the profile wrapper in `appDir`, in a process group of its own
 * (detached: signals reach everything it starts), as the app user and in the sandbox
 * when they are given.
 */
export function spawnApp(
  command: string,
  appDir: string,
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions,
  containment: { user?: AppUser | undefined; sandbox?: Sandbox | undefined },
): ChildProcess {
  const contained = containedCommand('bash', profileWrapperArgs(command), { ...containment, writable: [appDir], cwd: appDir });
  return spawn(contained.command, contained.args, {
    cwd: appDir,
    env,
    detached: true,
    stdio,
    ...(contained.user ? { uid: contained.user.uid, gid: contained.user.gid } : {}),
  });
}

/**
 * Starts the contained shell of a process that is not yet told what to run: it waits on
 * its stdin (a pipe) for its environment and command (WAITING_PROFILE_WRAPPER), once it
 * has said on fd 3 (another pipe) that its sandbox is made. Only in
 * the sandbox: the process sees its app dir at the path it had when the sandbox was made,
 * whatever the dir is renamed to on the host, which without one it would see change.
 */
export function spawnWaiting(
  appDir: string,
  env: NodeJS.ProcessEnv,
  output: readonly [number, number],
  containment: { user?: AppUser | undefined; sandbox: Sandbox },
): ChildProcess {
  const contained = containedCommand('bash', ['-c', WAITING_PROFILE_WRAPPER], { ...containment, writable: [appDir], cwd: appDir });
  return spawn(contained.command, contained.args, { cwd: appDir, env, detached: true, stdio: ['pipe', output[0], output[1], 'pipe'] });
}
