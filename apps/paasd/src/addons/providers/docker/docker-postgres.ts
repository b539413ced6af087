import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';

import type Docker from 'dockerode';

import type { BackupCapability } from '../../provider.js';
import type { InstanceRecord } from '../local/instance-record.js';
import {
  COUNT_SQL,
  DUMP_FLAGS,
  EMPTY_SCHEMA_SQL,
  INFO_SQL,
  RESTORE_FLAGS,
  bindSql,
  createDatabaseSql,
  createScratchSql,
  databaseExistsSql,
  dropScratchSql,
  lockDownDatabaseSql,
  parseCounts,
  parseInfo,
  roleExistsSql,
  unbindSteps,
} from '../postgres-sql.js';
import { DATA_MOUNT, POSTGRES_SOCKET_DIR } from './addon-image.js';
import type { ContainerEngine } from './container-engine.js';
import { addonContainerName } from './container-engine.js';
import { execIn } from './container-exec.js';

const PORT = 5432;
const BACKUP_TIMEOUT_MS = 30 * 60_000;
/** Every client tool reaches the server over its socket as the superuser (trusted there). */
const connection = (database: string): string[] => ['-h', POSTGRES_SOCKET_DIR, '-U', 'postgres', '-d', database];

export function createDockerPostgres(docker: Docker): ContainerEngine & { backups(instance: (id: string) => InstanceRecord): BackupCapability; major(instance: InstanceRecord): Promise<number> } {
  // Every password the instance holds is kept out of error messages (psql quotes the failed statement).
  const psql = (instance: InstanceRecord, sql: string, database = instance.database): Promise<string> =>
    execIn(docker, addonContainerName(instance.id), ['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...connection(database)], {
      user: 'postgres',
      input: sql,
      secrets: Object.values(instance.bindings).map((b) => b.password),
    });

  /** A dump is copied into the container first: pg_restore needs a file it can seek in. */
  const restoreInto = async (instance: InstanceRecord, database: string, file: string): Promise<void> => {
    const container = addonContainerName(instance.id);
    const inside = `/tmp/restore-${randomBytes(6).toString('hex')}.dump`;
    try {
      await execIn(docker, container, ['dd', `of=${inside}`, 'bs=1M', 'status=none'], { user: 'postgres', input: createReadStream(file), timeoutMs: BACKUP_TIMEOUT_MS });
      await execIn(docker, container, ['pg_restore', ...RESTORE_FLAGS, ...connection(database), inside], { user: 'postgres', timeoutMs: BACKUP_TIMEOUT_MS });
    } finally {
      await execIn(docker, container, ['rm', '-f', inside], { user: 'postgres' }).catch(() => undefined); // the container's /tmp; a leftover goes with the container
    }
  };

  return {
    container: () => ({ cmd: ['/usr/local/bin/paas-addon-postgres'], user: 'postgres', env: [], mount: DATA_MOUNT.postgresql, stopSignal: 'SIGINT', port: PORT }),
    async ready(instance) {
      try {
        await execIn(docker, addonContainerName(instance.id), ['pg_isready', '-q', '-h', POSTGRES_SOCKET_DIR], { user: 'postgres', timeoutMs: 5000 });
        return true;
      } catch {
        // Not running yet, making its cluster, or recovering after a crash.
        return false;
      }
    },
    async setUp(instance) {
      if ((await psql(instance, databaseExistsSql(instance.database), 'postgres')).trim() === '1') return;
      await psql(instance, createDatabaseSql(instance.database), 'postgres');
      await psql(instance, lockDownDatabaseSql(instance.database));
    },
    async bind(instance, { user, password }, host) {
      await psql(instance, bindSql(user, password, instance.database), 'postgres');
      return `postgres://${user}:${password}@${host}:${String(PORT)}/${instance.database}`;
    },
    async unbind(instance, { user }) {
      if ((await psql(instance, roleExistsSql(user), 'postgres')).trim() !== '1') return;
      for (const step of unbindSteps(user)) await psql(instance, step.sql, step.inAddonDatabase ? instance.database : 'postgres');
    },
    async info(instance) {
      return parseInfo(await psql(instance, INFO_SQL));
    },
    /** The server's major (`server_version_num` 150014 is 15), recorded when the add-on is made. */
    async major(instance: InstanceRecord): Promise<number> {
      return Math.floor(Number((await psql(instance, 'SHOW server_version_num', 'postgres')).trim()) / 10_000);
    },
    backups: (instance) => ({
      async capture(id, file) {
        const record = instance(id);
        await execIn(docker, addonContainerName(id), ['pg_dump', ...DUMP_FLAGS, ...connection(record.database)], {
          user: 'postgres',
          output: createWriteStream(file, { mode: 0o600 }),
          timeoutMs: BACKUP_TIMEOUT_MS,
        });
      },
      async verify(id, file) {
        const record = instance(id);
        const scratch = `verify_${randomBytes(6).toString('hex')}`;
        await psql(record, createScratchSql(scratch), 'postgres');
        try {
          await psql(record, EMPTY_SCHEMA_SQL, scratch);
          await restoreInto(record, scratch, file);
          return parseCounts(await psql(record, COUNT_SQL, scratch));
        } finally {
          await psql(record, dropScratchSql(scratch), 'postgres');
        }
      },
      async restore(id, file) {
        const record = instance(id);
        await psql(record, EMPTY_SCHEMA_SQL);
        await restoreInto(record, record.database, file);
      },
    }),
  };
}
