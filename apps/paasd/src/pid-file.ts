import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { identifyProcess, isProcessRunning } from '@paas/runtime';
import type { ProcessIdentity } from '@paas/runtime';

/**
 * `<dataDir>/run/paasd.pid`: which process is the paasd of this data dir, so that
 * `npm stop` can find it. Written once paasd listens, removed when it exits cleanly;
 * a file left by a crash is told apart by the process's start time (see process-identity).
 */
export interface PaasdPid {
  readonly pid: number;
  /** Absent where /proc cannot be read (not Linux): the pid alone is then trusted. */
  readonly identity?: ProcessIdentity;
  readonly engine: 'docker' | 'local';
}

export function pidFilePath(dataDir: string): string {
  return join(dataDir, 'run', 'paasd.pid');
}

function identify(pid: number): ProcessIdentity | undefined {
  try {
    return identifyProcess(pid);
  } catch {
    return undefined; // no /proc here: the record holds the pid alone
  }
}

export function writePidFile(dataDir: string, engine: PaasdPid['engine']): void {
  const path = pidFilePath(dataDir);
  mkdirSync(join(dataDir, 'run'), { recursive: true });
  const identity = identify(process.pid);
  const record: PaasdPid = identity ? { pid: process.pid, identity, engine } : { pid: process.pid, engine };
  const scratch = `${path}.${String(process.pid)}.tmp`;
  writeFileSync(scratch, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  chmodSync(scratch, 0o600); // the mode above is only used when the file is new
  renameSync(scratch, path);
}

export function readPidFile(dataDir: string): PaasdPid | undefined {
  let text: string;
  try {
    text = readFileSync(pidFilePath(dataDir), 'utf8');
  } catch {
    return undefined; // no file: no paasd has run here since the last clean exit
  }
  try {
    const record = JSON.parse(text) as Partial<PaasdPid>;
    return typeof record.pid === 'number' && Number.isInteger(record.pid) && record.pid > 0 ? (record as PaasdPid) : undefined;
  } catch {
    return undefined; // written atomically, so an unreadable file is not ours
  }
}

/** Removes the pid file if it still names this process (a newer paasd may have replaced it). */
export function removeOwnPidFile(dataDir: string): void {
  if (readPidFile(dataDir)?.pid === process.pid) rmSync(pidFilePath(dataDir), { force: true });
}

export function removePidFile(dataDir: string): void {
  rmSync(pidFilePath(dataDir), { force: true });
}

/** True while the recorded paasd runs. */
export async function isPaasdRunning(record: PaasdPid): Promise<boolean> {
  if (record.identity) return isProcessRunning(record.identity);
  try {
    process.kill(record.pid, 0);
    return true;
  } catch {
    return false; // ESRCH: gone (EPERM: someone else's process, so not our paasd either)
  }
}
