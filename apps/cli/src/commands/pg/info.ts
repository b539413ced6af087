import type { Command } from 'commander';

import { resolveAddon } from '../../addon-target.js';
import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatHeader, formatKeyValues } from '../../table.js';

/** `pg:info` and `redis:info`: what the server says about itself, and who is attached. */
export function registerServiceInfo(service: 'postgresql' | 'redis', commandName: string) {
  return (program: Command, ctx: CliContext): void => {
    const command = program.command(commandName).description(`show a ${service} add-on: version, size, connections and attachments`).argument('[ADDON]', 'the add-on or attachment (default: the app\'s DATABASE or REDIS)');
    withAppOptions(command);
    withJsonOption(command);
    withExamples(command, [`paas ${commandName} -a demo`]);
    command.action(async (ref: string | undefined, options: AppOptions & JsonOption) => {
      const app = await resolveApp(ctx, options);
      const client = await connect(ctx);
      const addon = await resolveAddon(client, app, ref, service);
      const { info } = await client.getAddonInfo(addon.id);
      if (options.json) return printJson(ctx, { addon, info });
      printLines(ctx, [
        formatHeader(addon.config_vars.join(', ') || addon.name),
        ...formatKeyValues([['Add-on', addon.name], ['Plan', addon.plan.name], ['Owning app', addon.app.name], ['State', addon.state], ...Object.entries(info)]),
      ]);
    });
  };
}

export const registerPgInfo = registerServiceInfo('postgresql', 'pg:info');
