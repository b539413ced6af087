import { chownSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** Role and database names the platform makes: lower-case hex after a letter, safe as SQL identifiers. */
const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
const SECRET = /^[A-Za-z0-9_-]{32,200}$/;

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a platform identifier: ${name.slice(0, 80)}`);
  return `"${name}"`;
}

function secret(value: string): string {
  if (!SECRET.test(value)) throw new Error('not a platform secret');
  return `'${value}'`;
}

/** The role every binding's user is a member of and acts as: it owns the database and all it holds. */
const OWNER = 'owner';

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
      const exists = await psql(instance, `SELECT 1 FROM pg_database WHERE datname = '${instance.database}'`, 'postgres');
      if (exists.trim() === '1') return;
      await psql(instance, `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${OWNER}') THEN CREATE ROLE ${identifier(OWNER)} NOLOGIN; END IF; END $$;\nCREATE DATABASE ${identifier(instance.database)} OWNER ${identifier(OWNER)};\n`, 'postgres');
      await psql(instance, `ALTER SCHEMA public OWNER TO ${identifier(OWNER)};\nREVOKE ALL ON DATABASE ${identifier(instance.database)} FROM PUBLIC;\n`);
    },
    async bind(instance: InstanceRecord, { user, password }: BindingCredentials) {
      const role = identifier(user);
      await psql(
        instance,
        `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${user}') THEN CREATE ROLE ${role} LOGIN; END IF; END $$;\n` +
          `ALTER ROLE ${role} WITH LOGIN PASSWORD ${secret(password)};\nGRANT ${identifier(OWNER)} TO ${role};\nALTER ROLE ${role} SET role = ${identifier(OWNER)};\n` +
          `GRANT CONNECT ON DATABASE ${identifier(instance.database)} TO ${role};\n`,
        'postgres',
      );
      return `postgres://${user}:${password}@127.0.0.1:${String(instance.port)}/${instance.database}`;
    },
    async unbind(instance: InstanceRecord, { user }: BindingCredentials) {
      const role = identifier(user);
      const exists = await psql(instance, `SELECT 1 FROM pg_roles WHERE rolname = '${user}'`, 'postgres');
      if (exists.trim() !== '1') return;
      // No new sessions, the open ones ended, and whatever it came to own (a table made after
      // RESET ROLE) handed to the owner role, so dropping it loses no data.
      await psql(instance, `ALTER ROLE ${role} NOLOGIN;\nSELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '${user}';\n`, 'postgres');
      await psql(instance, `REASSIGN OWNED BY ${role} TO ${identifier(OWNER)};\nDROP OWNED BY ${role};\n`);
      await psql(instance, `DROP ROLE ${role};\n`, 'postgres');
    },
    async info(instance: InstanceRecord) {
      const row = (await psql(instance, `SELECT current_setting('server_version'), pg_size_pretty(pg_database_size(current_database())), (SELECT count(*) FROM pg_stat_user_tables), (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database())`)).trim().split('|');
      return { Version: row[0] ?? '', 'Data Size': row[1] ?? '', Tables: row[2] ?? '', Connections: row[3] ?? '' };
    },
  };
  return engine;
}
