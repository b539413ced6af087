import type { Command } from 'commander';

import { attachmentUrl, runClient } from '../../addon-shell.js';
import { resolveAddon } from '../../addon-target.js';
import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';

/** `pg:psql` and `redis:cli`: the service's own client, run here with the app's URL. */
export function registerServiceShell(service: 'postgresql' | 'redis', commandName: string, extra: { option: string; description: string }) {
  return (program: Command, ctx: CliContext): void => {
    const command = program
      .command(commandName)
      .description(`open ${service === 'redis' ? 'redis-cli' : 'psql'} on an add-on with the app's credentials (run on a host that reaches the add-on; the URL never shows on the command line)`)
      .argument('[ADDON]', 'the add-on or attachment (default: the app\'s DATABASE or REDIS)')
      .option(extra.option, extra.description);
    withAppOptions(command);
    withExamples(command, [`paas ${commandName} -a demo`, service === 'redis' ? 'paas redis:cli -a demo -c "GET hits"' : 'paas pg:psql -a demo -c "SELECT count(*) FROM notes"']);
    command.action(async (ref: string | undefined, options: AppOptions & { command?: string }) => {
      const app = await resolveApp(ctx, options);
      const client = await connect(ctx);
      const addon = await resolveAddon(client, app, ref, service);
      const url = await attachmentUrl(client, app, addon);
      const args = options.command === undefined ? [] : service === 'redis' ? options.command.split(/\s+/).filter(Boolean) : ['-c', options.command];
      await runClient(url, args, ctx.env);
    });
  };
}

export const registerPgPsql = registerServiceShell('postgresql', 'pg:psql', { option: '-c, --command <SQL>', description: 'run one SQL command and exit' });
