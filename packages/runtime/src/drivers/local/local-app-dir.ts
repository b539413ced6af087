import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { DriverLogger } from '../shared/driver-logger.js';
import { copyAppDir, runCommand } from './local-host.js';

/**
 * Gives each local process its own writable app dir over the shared unpacked slug.
 *
 * A dyno's /app is writable and its own: a process may write, truncate or chmod any file
 * there without another process (or a later one of the same slug) seeing it. The local
 * driver usually runs as root, so read-only files in a hard-linked tree (`cp -al`) would
 * not stop an in-place write from reaching the shared slug; and running from the slug
 * directly would share `tmp/` and everything else between processes. So:
 *
 * - `overlay` (when the kernel lets us mount it): the unpacked slug is the read-only
 *   lower layer (over the unpacked runtime layer, when the slug has one) and the process
 *   gets an empty upper layer of its own. A write copies that one file up; nothing is
 *   copied at start, and neither the slug nor the shared runtime is ever written.
 * - `copy` (no mount rights, or a path overlayfs options cannot express): a full copy
 *   (the runtime layer first, the slug over it), a copy-on-write clone where the
 *   filesystem can (`cp --reflink=auto`).
 *
 * Mounts live in the host's mount table, so processes adopted by a restarted paasd keep
 * theirs; `release` unmounts whatever the process dir still has mounted.
 */
export interface AppDirs {
  /** Makes `<processDir>/app` from the unpacked slug (and the runtime layer under it) and returns its path. */
  create(slugDir: string, processDir: string, layerDir?: string): Promise<string>;
  /** Unmounts `<processDir>/app` if it is a mount; safe to call more than once. */
  release(processDir: string): Promise<void>;
  /** True once an overlay mount has worked here (and none has been refused). */
  mounts(): boolean;
}

/** Characters overlayfs reads as option or layer separators (`,` `:`) or escapes (`\`). */
const UNSAFE_FOR_OPTIONS = /[,:\\]/;

export function createAppDirs(logger: DriverLogger): AppDirs {
  /** Undefined until the first attempt; false once a mount has been refused. */
  let overlayWorks: boolean | undefined;

  const mountOverlay = async (lowers: readonly string[], processDir: string, appDir: string): Promise<boolean> => {
    if (overlayWorks === false || lowers.some((dir) => UNSAFE_FOR_OPTIONS.test(dir)) || UNSAFE_FOR_OPTIONS.test(processDir)) return false;
    const upper = join(processDir, 'upper');
    const work = join(processDir, 'work');
    await Promise.all([mkdir(upper), mkdir(work)]);
    try {
      await runCommand('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowers.join(':')},upperdir=${upper},workdir=${work}`, '--', appDir]);
      if (overlayWorks === undefined) logger.info({ mode: 'overlay' }, 'process app dirs are overlay mounts');
      overlayWorks = true;
      return true;
    } catch (error) {
      // A mount that worked before and fails now is a real problem; one that never worked
      // means no mount rights here (not root, or a container without CAP_SYS_ADMIN).
      if (overlayWorks === true) throw error;
      overlayWorks = false;
      logger.info({ mode: 'copy', err: error }, 'overlay mounts unavailable: process app dirs are copies');
      await Promise.all([rm(upper, { recursive: true, force: true }), rm(work, { recursive: true, force: true })]);
      return false;
    }
  };

  return {
    async create(slugDir, processDir, layerDir) {
      const appDir = join(processDir, 'app');
      await mkdir(appDir);
      // overlayfs takes the leftmost lower dir as the top: the slug's files over the runtime's.
      const lowers = layerDir === undefined ? [slugDir] : [slugDir, layerDir];
      if (!(await mountOverlay(lowers, processDir, appDir))) {
        for (const dir of [...lowers].reverse()) await copyAppDir(dir, appDir);
      }
      return appDir;
    },

    async release(processDir) {
      const appDir = join(processDir, 'app');
      if (!(await isMountPoint(processDir, appDir))) return;
      // Lazy: detached now, even while a straggler still holds a file open in it.
      await runCommand('umount', ['-l', '--', appDir]);
    },

    mounts: () => overlayWorks === true,
  };
}

/** True when `appDir` is on another device than its parent, i.e. something is mounted there. */
export async function isMountPoint(parent: string, appDir: string): Promise<boolean> {
  const [outer, inner] = await Promise.all([stat(parent).catch(() => undefined), stat(appDir).catch(() => undefined)]);
  return outer !== undefined && inner !== undefined && outer.dev !== inner.dev;
}

/** Mount points at or under `dir`, deepest first, from this process's mount table. */
async function mountsUnder(dir: string): Promise<string[]> {
  const table = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  // Field 5 is the mount point, with spaces and the like written as octal escapes.
  const points = table
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point): point is string => point !== undefined && (point === dir || point.startsWith(`${dir}/`)));
  return points.sort((a, b) => b.length - a.length);
}

/**
 * Detaches every process app dir mounted under `dir` (a data dir about to be deleted:
 * a test's, or an app's after a crash left its processes' mounts behind).
 */
export async function unmountUnder(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir)) await runCommand('umount', ['-l', '--', point]).catch(() => undefined);
}
