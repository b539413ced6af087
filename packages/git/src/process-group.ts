import type { ChildProcess } from 'node:child_process';

/** A child started with `detached: true`, so it leads a process group of its own. */
export interface ProcessGroup {
  readonly child: ChildProcess;
  /** Time between SIGTERM and SIGKILL. */
  readonly graceMs: number;
  killed: boolean;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function running(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/**
 * SIGTERM to the whole group (git removes its quarantined objects on SIGTERM), then
 * SIGKILL if its leader still runs after the grace period. Only while the leader is
 * unreaped: its pid, and so the group id, cannot have been reused by then.
 */
export function killGroup(group: ProcessGroup): void {
  const { child } = group;
  if (group.killed || !running(child) || child.pid === undefined) return;
  const pid = child.pid;
  group.killed = true;
  signalGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (running(child)) signalGroup(pid, 'SIGKILL');
  }, group.graceMs);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}
