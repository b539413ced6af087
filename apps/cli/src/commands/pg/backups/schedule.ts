import type { Command } from 'commander';

import { resolveAddon } from '../../../addon-target.js';
import { resolveApp } from '../../../app-target.js';
import type { AppOptions } from '../../../app-target.js';
import { countParser, withAppOptions, withExamples } from '../../../command-options.js';
import { connect } from '../../../connection.js';
import type { CliContext } from '../../../context.js';
import { runAction } from '../../../output.js';

export function registerPgBackupsSchedule(program: Command, ctx: CliContext): void {
  const command = program
    .command('pg:backups:schedule')
    .description('take a verified backup every day at a UTC hour, keeping the newest few scheduled ones')
    .argument('[ADDON]', "the add-on or attachment (default: the app's DATABASE)")
    .requiredOption('--at <TIME>', "the hour, e.g. '02:00 UTC'")
    .option('--retain <N>', 'scheduled backups to keep (default 7)', countParser(365));
  withAppOptions(command);
  withExamples(command, ["paas pg:backups:schedule --at '02:00 UTC' -a demo"]);
  command.action(async (ref: string | undefined, options: AppOptions & { at: string; retain?: number }) => {
    const app = await resolveApp(ctx, options);
    const client = await connect(ctx);
    const addon = await resolveAddon(client, app, ref, 'postgresql');
    await runAction(ctx, `Scheduling daily backups of ${addon.name} at ${options.at}`, () => client.scheduleBackups(addon.id, options.at, options.retain), (a) => `done, keeping ${String(a.backup_schedule?.retention ?? 7)}`);
  });
}
