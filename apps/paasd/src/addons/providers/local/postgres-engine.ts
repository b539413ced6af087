import { chownSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { INFO_SQL, bindSql, createDatabaseSql, databaseExistsSql, lockDownDatabaseSql, parseInfo, roleExistsSql, unbindSteps } from '../postgres-sql.js';
import { runCommand } from './command-runner.js';
import type { LocalEngine } from './engine.js';
import type { BindingCredentials, InstanceRecord } from './instance-record.js';
import { instancePaths } from './instance-record.js';
import type { PostgresBinaries } from './postgres-majors.js';
import { DEFAULT_POSTGRES_ROOT, dataDirMajor, installedMajors, missingMajorReason, postgresBinaries } from './postgres-majors.js';

/** The newest installed major's bin dir (tests skip without one). */
export function findPostgresBin(root = DEFAULT_POSTGRES_ROOT): string | undefined {
  const newest = installedMajors(root).at(-1);
  return newest === undefined ? undefined : join(root, String(newest), 'bin');
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

export interface PostgresEngine extends LocalEngine {
  /** The instance's major: recorded at creation, else its data dir's, else (not made yet) the newest installed. */
  majorOf(instance: InstanceRecord): number | undefined;
  /** Its major's binaries; throws saying what to install when they are missing. */
  binaries(instance: InstanceRecord): PostgresBinaries;
  /** Runs SQL as the superuser over the socket in `socketDir` (default: the instance's). */
  psql(instance: InstanceRecord, sql: string, database?: string, socketDir?: string): Promise<string>;
  /** Makes a cluster in `data` with the given binaries, as the instance's user. */
  initCluster(instance: InstanceRecord, data: string, binaries: PostgresBinaries): Promise<void>;
  /** The server's arguments on a data dir: loopback only on the instance's port, its socket in `socketDir`. */
  serverArgs(instance: InstanceRecord, data: string, socketDir: string, tcp: boolean): string[];
}

/** Every binary comes from the major the instance was made with, under `root` (Debian's `/usr/lib/postgresql`). */
export function createPostgresEngine(root: string): PostgresEngine {
  const majorOf = (instance: InstanceRecord): number | undefined => instance.postgresMajor ?? dataDirMajor(instancePaths(instance.dir).data) ?? installedMajors(root).at(-1);
  const binaries = (instance: InstanceRecord): PostgresBinaries => {
    const major = majorOf(instance);
    if (major === undefined) throw new Error(`no PostgreSQL is installed under ${root} (apt-get install postgresql)`);
    const found = postgresBinaries(root, major);
    if (!found) throw new Error(`${instance.id}: ${missingMajorReason(major, root)}`);
    return found;
  };
  // Every password the instance holds is kept out of error messages (psql quotes the failed statement).
  const psql = (instance: InstanceRecord, sql: string, database = instance.database, socketDir = instancePaths(instance.dir).run): Promise<string> =>
    runCommand(binaries(instance).client.psql, ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(instance.port), '-U', 'postgres', '-d', database], {
      input: sql,
      secrets: [instance.adminPassword, ...Object.values(instance.bindings).map((b) => b.password)],
    });
  const serverArgs = (instance: InstanceRecord, data: string, socketDir: string, tcp: boolean): string[] => [
    '-D', data, '-c', `listen_addresses=${tcp ? '127.0.0.1' : ''}`, '-c', `port=${String(instance.port)}`, '-c', `unix_socket_directories=${socketDir}`, '-c', 'logging_collector=off', '-c', 'max_connections=100',
  ];
  const initCluster = async (instance: InstanceRecord, data: string, bins: PostgresBinaries): Promise<void> => {
    // Local (socket) connections are trusted: the socket's dir is the server user's, 0700,
    // so only that user and root reach it. Over TCP every user needs its password.
    await runCommand(join(bins.serverBin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale'], {
      uid: instance.uid,
      gid: instance.gid,
      cwd: data,
      env: userLookupEnv(instance),
    });
  };
  const engine: PostgresEngine = {
    majorOf,
    binaries,
    psql,
    initCluster,
    serverArgs,
    async initialize(instance: InstanceRecord) {
      const { data } = instancePaths(instance.dir);
      if (existsSync(join(data, 'PG_VERSION'))) return;
      await initCluster(instance, data, binaries(instance));
    },
    command(instance: InstanceRecord) {
      const { data, run } = instancePaths(instance.dir);
      // The path only: whether it exists is checked before a start (a stop needs the name alone).
      return {
        command: join(root, String(majorOf(instance) ?? 0), 'bin', 'postgres'),
        args: serverArgs(instance, data, run, true),
        stopSignal: 'SIGINT',
        env: userLookupEnv(instance),
      };
    },
    async ready(instance: InstanceRecord) {
      const { pg_isready } = binaries(instance).client; // a missing major is said at once, not waited out
      try {
        await runCommand(pg_isready, ['-q', '-h', instancePaths(instance.dir).run, '-p', String(instance.port)], { timeoutMs: 5000 });
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
      // The major the add-on is fixed to first (what pg:upgrade changes), then the server's own full version.
      const { Version: server = '', ...rest } = parseInfo(await psql(instance, INFO_SQL));
      return { Version: String(majorOf(instance) ?? ''), 'Server Version': server, ...rest };
    },
  };
  return engine;
}
