import type { Command } from 'commander';

import { resolveAddon } from '../../../addon-target.js';
import { resolveApp } from '../../../app-target.js';
import type { AppOptions } from '../../../app-target.js';
import { withAppOptions, withExamples } from '../../../command-options.js';
import { connect } from '../../../connection.js';
import type { CliContext } from '../../../context.js';
import { runAction } from '../../../output.js';

export function registerPgBackupsUnschedule(program: Command, ctx: CliContext): void {
  const command = program.command('pg:backups:unschedule').description('stop daily backups (the backups taken stay)').argument('[ADDON]', "the add-on or attachment (default: the app's DATABASE)");
  withAppOptions(command);
  withExamples(command, ['paas pg:backups:unschedule -a demo']);
  command.action(async (ref: string | undefined, options: AppOptions) => {
    const app = await resolveApp(ctx, options);
    const client = await connect(ctx);
    const addon = await resolveAddon(client, app, ref, 'postgresql');
    await runAction(ctx, `Stopping daily backups of ${addon.name}`, () => client.unscheduleBackups(addon.id));
  });
}
