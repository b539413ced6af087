import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { AppUser } from '@paas/core';

/**
 * One uid (and gid of the same number) per app, for its processes and build steps when
 * paasd runs as root: apps cannot read each other's files, paasd's environment or its
 * data. The ids are numeric, in a range no distribution hands out to people or daemons
 * (200000–299999), so no /etc/passwd entry is made or needed.
 *
 * The first choice is derived from the app name (stable without any state); a clash with
 * another app's id moves on to the next free one. Assignments are kept in
 * `<dataDir>/app-users.json`, so an app keeps its uid for as long as its files exist.
 */
export const APP_UID_BASE = 200_000;
export const APP_UID_COUNT = 100_000;
const FILE = 'app-users.json';

/** The uid for `app`: its hashed slot, or the next one up that no other app holds. */
export function pickAppUid(app: string, taken: ReadonlySet<number>, base = APP_UID_BASE, count = APP_UID_COUNT): number {
  const start = createHash('sha256').update(app).digest().readUInt32BE(0) % count;
  for (let step = 0; step < count; step += 1) {
    const uid = base + ((start + step) % count);
    if (!taken.has(uid)) return uid;
  }
  throw new Error(`no free app uid left in ${String(base)}–${String(base + count - 1)}`);
}

export interface AppUsers {
  userOf(app: string): AppUser;
}

/** Reads and extends the assignments in `dataDir`; synchronous, so two callers cannot pick the same id. */
export function createAppUsers(dataDir: string): AppUsers {
  const path = join(dataDir, FILE);
  let assigned: Record<string, number>;
  try {
    assigned = JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    assigned = {};
  }
  return {
    userOf(app) {
      let uid = assigned[app];
      if (uid === undefined) {
        uid = pickAppUid(app, new Set(Object.values(assigned)));
        assigned = { ...assigned, [app]: uid };
        const scratch = `${path}.tmp`;
        writeFileSync(scratch, `${JSON.stringify(assigned, null, 2)}\n`, { mode: 0o600 });
        renameSync(scratch, path);
      }
      return { uid, gid: uid };
    },
  };
}
