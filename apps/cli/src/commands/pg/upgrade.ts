import type { Command } from 'commander';

import { resolveAddon } from '../../addon-target.js';
import { confirmAppName } from '../../app-confirmation.js';
import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { usageError } from '../../cli-error.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printLines, runAction } from '../../output.js';

interface UpgradeOptions extends AppOptions {
  readonly version?: string;
  readonly confirm?: string;
}

/** Heroku's `pg:upgrade`: a newer PostgreSQL major by dump and restore, a verified backup taken first. */
export function registerPgUpgrade(program: Command, ctx: CliContext): void {
  const command = program
    .command('pg:upgrade')
    .description(
      "move a postgresql add-on to a newer PostgreSQL major: a verified backup first, then a new cluster restored from it and checked, swapped in on the same port with the same credentials (attached apps keep their URLs; no release). The old cluster is kept on the host (data.<old major>) to undo by hand. Local runtime only.",
    )
    .argument('[ADDON]', "the add-on or attachment (default: the app's DATABASE)")
    .requiredOption('--version <major>', 'the PostgreSQL major to move to (installed on the host, newer than the current one)')
    .option('--confirm <app>', 'the owning app name, to confirm without being asked');
  withAppOptions(command);
  withExamples(command, ['paas pg:upgrade -a demo --version 17 --confirm demo']);
  command.action(async (ref: string | undefined, options: UpgradeOptions) => {
    const version = Number(options.version);
    if (!/^\d{1,3}$/.test(options.version ?? '') || version < 1) throw usageError(`--version ${options.version ?? ''} is not a PostgreSQL major: give a number like 17.`);
    const app = await resolveApp(ctx, options);
    const client = await connect(ctx);
    const addon = await resolveAddon(client, app, ref, 'postgresql');
    await confirmAppName(ctx, {
      app: addon.app.name,
      confirm: options.confirm,
      action: `Upgrading ${addon.name} to PostgreSQL ${String(version)}`,
      consequence: `This replaces ${addon.name}'s cluster with a PostgreSQL ${String(version)} one restored from a new backup; its database is read-only until the switch`,
      outcome: 'nothing was changed',
    });
    const result = await runAction(ctx, `Upgrading ${addon.name} to PostgreSQL ${String(version)}`, () => client.upgradeAddon(addon.id, { version, confirm: addon.app.name }));
    printLines(ctx, [
      `${addon.name} runs PostgreSQL ${String(result.to)} (was ${String(result.from)}).`,
      `Backup ${result.backup.name} was taken and verified first (${String(result.backup.verified?.tables ?? 0)} tables, ${String(result.backup.verified?.rows ?? 0)} rows); the restored data matched it.`,
      'Attached apps keep their URLs: no release was needed.',
      `The PostgreSQL ${String(result.from)} cluster is kept on the host in ${result.kept}.`,
    ]);
  });
}
