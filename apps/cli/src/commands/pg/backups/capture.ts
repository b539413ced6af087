import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';

import { resolveAddon } from '../../../addon-target.js';
import { resolveApp } from '../../../app-target.js';
import type { AppOptions } from '../../../app-target.js';
import { CliError } from '../../../cli-error.js';
import { withAppOptions, withExamples } from '../../../command-options.js';
import { connect } from '../../../connection.js';
import type { CliContext } from '../../../context.js';
import { runAction } from '../../../output.js';

export function registerPgBackupsCapture(program: Command, ctx: CliContext): void {
  const command = program
    .command('pg:backups:capture')
    .description('take a backup now (pg_dump -Fc), then verify it by restoring it into a scratch database')
    .argument('[ADDON]', "the add-on or attachment (default: the app's DATABASE)");
  withAppOptions(command);
  withExamples(command, ['paas pg:backups:capture -a demo']);
  command.action(async (ref: string | undefined, options: AppOptions) => {
    const app = await resolveApp(ctx, options);
    const client = await connect(ctx);
    const addon = await resolveAddon(client, app, ref, 'postgresql');
    let backup = await client.captureBackup(addon.id);
    backup = await runAction(ctx, `Backing up ${addon.name} to ${backup.name}`, async () => {
      while (backup.status === 'running') {
        await sleep(500);
        backup = await client.getBackup(addon.id, backup.id);
      }
      return backup;
    }, (done) => (done.verified ? `done, verified: ${String(done.verified.tables)} tables, ${String(done.verified.rows)} rows` : done.status));
    if (backup.status === 'failed') throw new CliError(`Backup ${backup.name} failed: ${backup.error ?? 'no reason given'}`);
  });
}
