import { chownSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { INFO_SQL, bindSql, createDatabaseSql, databaseExistsSql, lockDownDatabaseSql, parseInfo, roleExistsSql, unbindSteps } from '../postgres-sql.js';
import { runCommand } from './command-runner.js';
import type { LocalEngine } from './engine.js';
import type { BindingCredentials, InstanceRecord } from './instance-record.js';
import { instancePaths } from './instance-record.js';

/** Debian installs PostgreSQL under `/usr/lib/postgresql/<major>/bin`; the newest there is used. */
export function findPostgresBin(root = '/usr/lib/postgresql'): string | undefined {
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

const NSS_WRAPPER = ['/usr/lib/x86_64-linux-gnu/libnss_wrapper.so', '/usr/lib/aarch64-linux-gnu/libnss_wrapper.so', '/usr/lib/libnss_wrapper.so'];

/**
 * initdb and postgres look their user up by uid and refuse one without a passwd entry.
 * An add-on's uid has none (none is made on the host), so each instance gets its own
 * passwd and group files through Debian's libnss-wrapper, as the postgres container image
 * does for arbitrary uids.
 */
export function userLookupEnv(instance: InstanceRecord): Record<string, string> {
  if (instance.uid === undefined) return {};
  const library = NSS_WRAPPER.find((path) => existsSync(path));
  if (!library) throw new Error('libnss-wrapper is not installed (apt-get install libnss-wrapper): postgres cannot run as an add-on user without it');
  const { run } = instancePaths(instance.dir);
  const gid = instance.gid ?? instance.uid;
  const passwd = join(run, 'passwd');
  const group = join(run, 'group');
  writeFileSync(passwd, `postgres:x:${String(instance.uid)}:${String(gid)}:PostgreSQL add-on:${instancePaths(instance.dir).data}:/usr/sbin/nologin\n`, { mode: 0o644 });
  writeFileSync(group, `addons:x:${String(gid)}:\n`, { mode: 0o644 });
  chownSync(passwd, instance.uid, gid);
  chownSync(group, instance.uid, gid);
  return { LD_PRELOAD: library, NSS_WRAPPER_PASSWD: passwd, NSS_WRAPPER_GROUP: group };
}

export function createPostgresEngine(bin: string): LocalEngine & { psql(instance: InstanceRecord, sql: string, database?: string): Promise<string>; bin: string } {
  // Every password the instance holds is kept out of error messages (psql quotes the failed statement).
  const psql = (instance: InstanceRecord, sql: string, database = instance.database): Promise<string> =>
    runCommand(join(bin, 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', instancePaths(instance.dir).run, '-p', String(instance.port), '-U', 'postgres', '-d', database], {
      input: sql,
      secrets: [instance.adminPassword, ...Object.values(instance.bindings).map((b) => b.password)],
    });
  const engine = {
    bin,
    psql,
    async initialize(instance: InstanceRecord) {
      const { data } = instancePaths(instance.dir);
      if (existsSync(join(data, 'PG_VERSION'))) return;
      // Local (socket) connections are trusted: the socket's dir is the server user's, 0700,
      // so only that user and root reach it. Over TCP every user needs its password.
      await runCommand(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale'], {
        uid: instance.uid,
        gid: instance.gid,
        cwd: data,
        env: userLookupEnv(instance),
      });
    },
    command(instance: InstanceRecord) {
      const { data, run } = instancePaths(instance.dir);
      return {
        command: join(bin, 'postgres'),
        args: ['-D', data, '-c', 'listen_addresses=127.0.0.1', '-c', `port=${String(instance.port)}`, '-c', `unix_socket_directories=${run}`, '-c', 'logging_collector=off', '-c', 'max_connections=100'],
        stopSignal: 'SIGINT' as NodeJS.Signals,
        env: userLookupEnv(instance),
      };
    },
    async ready(instance: InstanceRecord) {
      try {
        await runCommand(join(bin, 'pg_isready'), ['-q', '-h', instancePaths(instance.dir).run, '-p', String(instance.port)], { timeoutMs: 5000 });
        return true;
      } catch {
        // Not accepting connections yet (starting, or recovering after a crash).
        return false;
      }
    },
    async setUp(instance: InstanceRecord) {
      const exists = await psql(instance, databaseExistsSql(instance.database), 'postgres');
      if (exists.trim() === '1') return;
      await psql(instance, createDatabaseSql(instance.database), 'postgres');
      await psql(instance, lockDownDatabaseSql(instance.database));
    },
    async bind(instance: InstanceRecord, { user, password }: BindingCredentials) {
      await psql(instance, bindSql(user, password, instance.database), 'postgres');
      return `postgres://${user}:${password}@127.0.0.1:${String(instance.port)}/${instance.database}`;
    },
    async unbind(instance: InstanceRecord, { user }: BindingCredentials) {
      const exists = await psql(instance, roleExistsSql(user), 'postgres');
      if (exists.trim() !== '1') return;
      for (const step of unbindSteps(user)) await psql(instance, step.sql, step.inAddonDatabase ? instance.database : 'postgres');
    },
    async info(instance: InstanceRecord) {
      return parseInfo(await psql(instance, INFO_SQL));
    },
  };
  return engine;
}
