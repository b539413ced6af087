import { spawn } from 'node:child_process';

import type { PaasClient } from '@paas/client';
import type { AddonResource } from '@paas/core';

import { CliError, SilentExit } from './cli-error.js';

/** The URL an app holds for an add-on (its attachment's `NAME_URL`), read from its config vars. */
export async function attachmentUrl(client: PaasClient, app: string, addon: AddonResource): Promise<string> {
  const attachment = (await client.listAddonAttachments({ app })).find((a) => a.addon.id === addon.id);
  const url = attachment ? (await client.getConfigVars(app))[`${attachment.name}_URL`] : undefined;
  if (url === undefined) throw new CliError(`${addon.name} is not attached to ${app}: attach it with paas addons:attach ${addon.name} -a ${app}.`);
  return url;
}

/**
 * The client's command line and environment for a URL: credentials go in the environment
 * (PGPASSWORD, REDISCLI_AUTH), never on the command line where `ps` would show them.
 */
export function clientCommand(url: string): { command: string; args: string[]; env: Record<string, string> } {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') {
    return { command: 'redis-cli', args: ['-h', parsed.hostname, '-p', parsed.port || '6379', '--user', user, ...(parsed.protocol === 'rediss:' ? ['--tls'] : [])], env: { REDISCLI_AUTH: password } };
  }
  return {
    command: 'psql',
    args: [],
    env: { PGHOST: parsed.hostname, PGPORT: parsed.port || '5432', PGUSER: user, PGPASSWORD: password, PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)) },
  };
}

/** Runs psql or redis-cli here, attached to this terminal; paas exits with its code. */
export async function runClient(url: string, extraArgs: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { command, args, env: credentials } = clientCommand(url);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(command, [...args, ...extraArgs], { stdio: 'inherit', env: { ...env, ...credentials }, shell: false });
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new CliError(`${command} is not installed here (Debian: apt-get install ${command === 'psql' ? 'postgresql-client' : 'redis-tools'}).`) : error),
    );
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
  });
  if (code !== 0) throw new SilentExit(code);
}
