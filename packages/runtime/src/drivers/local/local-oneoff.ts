import type { ChildProcess } from 'node:child_process';

import type { OneOffIo } from '../../driver.js';
import { signalGroup } from './process-identity.js';

/** Grace between SIGTERM and SIGKILL when a one-off is aborted. */
const ABORT_GRACE_MS = 5000;

/** Connects a one-off's pipes to the caller; its exit takes what it left behind with it. */
export function attachOneOff(child: ChildProcess, io: OneOffIo): Promise<{ exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const pid = child.pid;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout?.pipe(io.stdout, { end: false });
    child.stderr?.pipe(io.stderr, { end: false });
    if (io.stdin && child.stdin) {
      child.stdin.on('error', () => {
        // EPIPE: the command stopped reading its input before the caller stopped sending.
      });
      io.stdin.pipe(child.stdin);
    }
    const onAbort = (): void => {
      if (pid === undefined) return;
      aborted = true;
      signalGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), ABORT_GRACE_MS);
      killTimer.unref();
    };
    io.signal?.addEventListener('abort', onAbort, { once: true });
    if (io.signal?.aborted) onAbort(); // aborted while the app dir was being copied
    child.on('error', reject);
    // Background children would keep the pipes open, and the one-off is over.
    child.on('exit', () => pid !== undefined && signalGroup(pid, 'SIGKILL'));
    child.on('close', (code) => {
      io.signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      if (io.stdin && child.stdin) io.stdin.unpipe(child.stdin);
      resolve({ exitCode: aborted ? null : code });
    });
  });
}
