import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { AddonServiceName } from '../../provider.js';

export interface BindingCredentials {
  readonly user: string;
  readonly password: string;
}

/** What the local provider keeps about one instance, in `<dir>/instance.json` (0600, paasd's). */
export interface InstanceRecord {
  readonly id: string;
  readonly service: AddonServiceName;
  readonly dir: string;
  /** Loopback port the server listens on; the same across restarts, so URLs stay valid. */
  readonly port: number;
  /** The server's own user (when paasd runs as root). */
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  /** The platform's own credential for admin work (redis); postgres uses its socket instead. */
  readonly adminPassword: string;
  readonly database: string;
  readonly bindings: Readonly<Record<string, BindingCredentials>>;
  /** `docker` for the docker provider's instances; absent for the local provider's. */
  readonly provider?: 'docker';
  /** The container's memory limit in MiB (docker provider), fixed when the add-on is made; absent: not limited. */
  readonly memoryMb?: number;
  /** PostgreSQL's major, fixed when the add-on is made (absent in records made before it was kept: its data dir's `PG_VERSION` says). */
  readonly postgresMajor?: number;
  /** Set once the server has been made ready for bindings. */
  readonly provisioned: boolean;
}

export const INSTANCE_FILE = 'instance.json';

export function readInstance(dir: string): InstanceRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, INSTANCE_FILE), 'utf8')) as InstanceRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function writeInstance(record: InstanceRecord): void {
  const path = join(record.dir, INSTANCE_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** Paths inside an instance's dir. */
export const instancePaths = (dir: string) => ({
  data: join(dir, 'data'),
  run: join(dir, 'run'),
  backups: join(dir, 'backups'),
  log: join(dir, 'server.log'),
  pid: join(dir, 'server.pid'),
});
