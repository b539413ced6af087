import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';

/**
 * A `tar -x` fed the uncompressed bytes of a runtime layer while the layer is packed, so a
 * runtime that runs layers from unpacked directories (the local driver) finds this one
 * unpacked already instead of inflating, hashing and unpacking the file again at deploy.
 * It unpacks exactly the bytes packed, as the builder's user (never the app's), into a
 * fresh directory under `parent` (the builder's own work root, not the app's build dir).
 * Its failure only costs the shortcut: the pack goes on, and the layer is unpacked from
 * its file when it is needed.
 */
export interface LayerUnpack {
  /** Where the packed tar is written; it ends or breaks without stopping the pack. */
  readonly input: Writable;
  /** Ends the input and waits for tar; the directory when every byte was unpacked, else undefined. */
  finish(): Promise<string | undefined>;
  /** Removes the directory unless someone moved it away. */
  dispose(): Promise<void>;
}

export async function startLayerUnpack(parent: string): Promise<LayerUnpack> {
  const dir = await mkdtemp(join(parent, 'paas-layer-'));
  // The flags the local driver unpacks layers with: owners and modes from this process, not the tar.
  const child = spawn('tar', ['-x', '-f', '-', '-C', dir, '--no-same-owner', '--no-same-permissions'], {
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C' },
  });
  let broken = false;
  // A tar that stopped early closes its stdin: the exit status below tells, not the EPIPE.
  child.stdin.on('error', () => (broken = true));
  const exited = new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('close', (code) => resolve(code === 0));
  });
  return {
    input: child.stdin,
    async finish() {
      child.stdin.end();
      const ok = await exited;
      return ok && !broken ? dir : undefined;
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.destroy();
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
