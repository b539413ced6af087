import type { Command } from 'commander';

import { resolveAddon } from '../../../addon-target.js';
import { confirmAppName } from '../../../app-confirmation.js';
import { resolveApp } from '../../../app-target.js';
import type { AppOptions } from '../../../app-target.js';
import { withAppOptions, withExamples } from '../../../command-options.js';
import { connect } from '../../../connection.js';
import type { CliContext } from '../../../context.js';
import { runAction } from '../../../output.js';

interface RestoreOptions extends AppOptions {
  readonly confirm?: string;
}

export function registerPgBackupsRestore(program: Command, ctx: CliContext): void {
  const command = program
    .command('pg:backups:restore')
    .description("replace a postgresql add-on's data with a backup: its own (b001), or another app's (APP::b001)")
    .argument('[BACKUP]', 'b001, or APP::b001 for a backup of another app\'s database (default: the newest)')
    .argument('[ADDON]', "the add-on or attachment to restore into (default: the app's DATABASE)")
    .option('--confirm <app>', 'the app name, to confirm without being asked');
  withAppOptions(command);
  withExamples(command, ['paas pg:backups:restore b003 -a demo --confirm demo', 'paas pg:backups:restore demo::b003 ARCHIVE -a reports --confirm reports']);
  command.action(async (backupRef: string | undefined, ref: string | undefined, options: RestoreOptions) => {
    const app = await resolveApp(ctx, options);
    const client = await connect(ctx);
    const target = await resolveAddon(client, app, ref, 'postgresql');
    const [sourceApp, backupName] = backupRef?.includes('::') ? (backupRef.split('::', 2) as [string, string]) : [app, backupRef];
    const source = sourceApp === app ? (ref === undefined ? target : await resolveAddon(client, app, undefined, 'postgresql')) : await resolveAddon(client, sourceApp, undefined, 'postgresql');
    const backup = backupName ?? (await client.listBackups(source.id)).find((b) => b.status === 'completed')?.name ?? 'b001';
    await confirmAppName(ctx, {
      app,
      confirm: options.confirm,
      action: `Restoring ${backup} into ${target.name}`,
      consequence: `This replaces all the data in ${target.name} (${app}) with ${source.name}'s ${backup}`,
      outcome: 'nothing was restored',
    });
    await runAction(ctx, `Restoring ${source.name}'s ${backup} into ${target.name}`, () => client.restoreBackup(target.id, { backup, from: source.id }));
  });
}
