import { chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { LocalEngine } from './engine.js';
import type { BindingCredentials, InstanceRecord } from './instance-record.js';
import { instancePaths } from './instance-record.js';
import { sendRedisCommands } from './resp-client.js';

const ADMIN_USER = 'paas-admin';
const NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const SECRET = /^[A-Za-z0-9_-]{32,200}$/;

const checked = ({ user, password }: BindingCredentials): BindingCredentials => {
  if (!NAME.test(user) || !SECRET.test(password)) throw new Error('not a platform user or secret');
  return { user, password };
};

/**
 * The config file, rewritten before each start with every binding's user: the default
 * user is off, each binding is an ACL user with its own password, and the platform has
 * its own admin user. Only loopback and a 0700 Unix socket are listened on.
 */
export function renderRedisConfig(instance: InstanceRecord): string {
  const { data, run } = instancePaths(instance.dir);
  const users = Object.values(instance.bindings).map(checked);
  return [
    'bind 127.0.0.1',
    `port ${String(instance.port)}`,
    'protected-mode yes',
    `dir ${data}`,
    'appendonly yes',
    'appendfsync everysec',
    'save 60 1',
    `unixsocket ${join(run, 'redis.sock')}`,
    'unixsocketperm 700',
    'daemonize no',
    'loglevel notice',
    'user default off',
    `user ${ADMIN_USER} on >${checked({ user: ADMIN_USER, password: instance.adminPassword }).password} ~* &* +@all`,
    ...users.map(({ user, password }) => `user ${user} on >${password} ~* &* +@all`),
    '',
  ].join('\n');
}

export function createRedisEngine(serverBinary = '/usr/bin/redis-server'): LocalEngine {
  const configFile = (instance: InstanceRecord): string => join(instancePaths(instance.dir).run, 'redis.conf');
  const admin = (instance: InstanceRecord, ...commands: string[][]) =>
    sendRedisCommands(join(instancePaths(instance.dir).run, 'redis.sock'), [['AUTH', ADMIN_USER, instance.adminPassword], ...commands]);
  const writeConfig = (instance: InstanceRecord): void => {
    const file = configFile(instance);
    writeFileSync(file, renderRedisConfig(instance), { mode: 0o600 });
    if (instance.uid !== undefined) chownSync(file, instance.uid, instance.gid ?? instance.uid);
  };
  return {
    async initialize(instance) {
      writeConfig(instance);
    },
    command(instance) {
      return { command: serverBinary, args: [configFile(instance)], stopSignal: 'SIGTERM' };
    },
    async beforeStart(instance) {
      writeConfig(instance);
    },
    async ready(instance) {
      try {
        await admin(instance, ['PING']);
        return true;
      } catch {
        // Not listening yet, or still loading its append-only file.
        return false;
      }
    },
    async setUp() {
      // A Redis server is ready for bindings as it starts.
    },
    async bind(instance, credentials) {
      const { user, password } = checked(credentials);
      await admin(instance, ['ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, '~*', '&*', '+@all']);
      writeConfig(instance);
      return `redis://${user}:${password}@127.0.0.1:${String(instance.port)}`;
    },
    async unbind(instance, credentials) {
      const { user } = checked(credentials);
      await admin(instance, ['ACL', 'DELUSER', user]);
      writeConfig(instance);
    },
    async info(instance) {
      const [, text] = await admin(instance, ['INFO']);
      const fields = new Map(String(text).split('\r\n').filter((line) => line.includes(':')).map((line) => line.split(':', 2) as [string, string]));
      return {
        Version: fields.get('redis_version') ?? '',
        'Memory Used': fields.get('used_memory_human') ?? '',
        Clients: fields.get('connected_clients') ?? '',
        Keys: String(String(text).match(/^db\d+:keys=(\d+)/gm)?.reduce((sum, line) => sum + Number(line.split('=')[1]?.split(',')[0] ?? 0), 0) ?? 0),
        'Uptime (s)': fields.get('uptime_in_seconds') ?? '',
      };
    },
  };
}
