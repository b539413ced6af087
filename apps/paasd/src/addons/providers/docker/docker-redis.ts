import { createHash } from 'node:crypto';

import type Docker from 'dockerode';

import type { BindingCredentials, InstanceRecord } from '../local/instance-record.js';
import { DATA_MOUNT, REDIS_SOCKET } from './addon-image.js';
import type { ContainerEngine } from './container-engine.js';
import { addonContainerName } from './container-engine.js';
import { execIn } from './container-exec.js';

const PORT = 6379;
const ADMIN_USER = 'paas-admin';
const NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const SECRET = /^[A-Za-z0-9_-]{32,200}$/;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const checked = ({ user, password }: BindingCredentials): BindingCredentials => {
  if (!NAME.test(user) || !SECRET.test(password)) throw new Error('not a platform user or secret');
  return { user, password };
};

/**
 * Sends commands to the server through redis-cli's stdin inside the container, the
 * first one authenticating as the platform's admin user (so no password is ever on a
 * command line). redis-cli goes on after an error reply: the replies are read for them.
 */
async function admin(docker: Docker, instance: InstanceRecord, commands: readonly (readonly string[])[]): Promise<string[]> {
  const lines = [['AUTH', ADMIN_USER, checked({ user: ADMIN_USER, password: instance.adminPassword }).password], ...commands].map((args) => args.join(' '));
  const out = await execIn(docker, addonContainerName(instance.id), ['redis-cli', '-s', REDIS_SOCKET], { user: 'redis', input: `${lines.join('\n')}\n`, timeoutMs: 10_000, secrets: [instance.adminPassword] });
  const replies = out.split('\n').map((line) => line.replace(/\r$/, ''));
  const failed = replies.find((line) => /^(ERR|WRONGPASS|NOPERM|NOAUTH|LOADING|Could not connect)/.test(line));
  if (failed) throw new Error(`redis: ${failed.slice(0, 300)}`);
  return replies;
}

export function createDockerRedis(docker: Docker): ContainerEngine {
  return {
    container: (instance) => ({
      cmd: ['/usr/local/bin/paas-addon-redis'],
      user: 'redis',
      env: [`PAAS_ADMIN_SHA256=${sha256(instance.adminPassword)}`],
      mount: DATA_MOUNT.redis,
      stopSignal: 'SIGTERM',
      port: PORT,
    }),
    async ready(instance) {
      try {
        return (await admin(docker, instance, [['PING']])).includes('PONG');
      } catch {
        // Not running yet, or still loading its append-only file.
        return false;
      }
    },
    async setUp() {
      // A Redis server is ready for bindings as it starts.
    },
    async bind(instance, credentials, host) {
      const { user, password } = checked(credentials);
      // The server keeps only the password's sha256; ACL SAVE writes the users to the volume.
      await admin(docker, instance, [['ACL', 'SETUSER', user, 'reset', 'on', `#${sha256(password)}`, '~*', '&*', '+@all'], ['ACL', 'SAVE']]);
      return `redis://${user}:${password}@${host}:${String(PORT)}`;
    },
    async unbind(instance, credentials) {
      const { user } = checked(credentials);
      // DELUSER also closes the user's connections.
      await admin(docker, instance, [['ACL', 'DELUSER', user], ['ACL', 'SAVE']]);
    },
    async info(instance) {
      const lines = (await admin(docker, instance, [['INFO']])).map((line) => line.replace(/\r$/, ''));
      const text = lines.join('\n');
      const fields = new Map(lines.filter((line) => line.includes(':')).map((line) => line.split(':', 2) as [string, string]));
      return {
        Version: fields.get('redis_version') ?? '',
        'Memory Used': fields.get('used_memory_human') ?? '',
        Clients: fields.get('connected_clients') ?? '',
        Keys: String(text.match(/^db\d+:keys=(\d+)/gm)?.reduce((sum, line) => sum + Number(line.split('=')[1]?.split(',')[0] ?? 0), 0) ?? 0),
        'Uptime (s)': fields.get('uptime_in_seconds') ?? '',
      };
    },
  };
}
