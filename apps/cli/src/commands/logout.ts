import type { Command } from 'commander';

import { withExamples } from '../command-options.js';
import { apiBaseUrl, apiUrlFrom, netrcMachine } from '../connection.js';
import type { CliContext } from '../context.js';
import { netrcPath, removeNetrcCredentials } from '../netrc-file.js';

export function registerLogout(program: Command, ctx: CliContext): void {
  const command = program.command('logout').description('forget the token saved in ~/.netrc for the paas API');
  withExamples(command, ['paas logout']);
  command.action(() => logout(ctx));
}

async function logout(ctx: CliContext): Promise<void> {
  const url = apiUrlFrom(ctx.env);
  const removed = await removeNetrcCredentials(netrcPath(ctx.env), netrcMachine(url));
  ctx.stdout.write(removed ? `Logged out of ${apiBaseUrl(url)}\n` : `Not logged in to ${apiBaseUrl(url)}: nothing to do\n`);
  if (ctx.env.PAAS_API_TOKEN?.trim()) {
    ctx.stderr.write('Note: PAAS_API_TOKEN is set in your environment, so commands still use that token.\n');
  }
}
