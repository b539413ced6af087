import type { AddonBackupResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveAddon } from '../../../addon-target.js';
import { resolveApp } from '../../../app-target.js';
import type { AppOptions } from '../../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../../command-options.js';
import type { JsonOption } from '../../../command-options.js';
import { connect } from '../../../connection.js';
import type { CliContext } from '../../../context.js';
import { printJson, printLines } from '../../../output.js';
import { formatTable } from '../../../table.js';

export function registerPgBackups(program: Command, ctx: CliContext): void {
  const command = program.command('pg:backups').description("list a postgresql add-on's backups, each with what its verification restore found").argument('[ADDON]', "the add-on or attachment (default: the app's DATABASE)");
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas pg:backups -a demo']);
  command.action(async (ref: string | undefined, options: AppOptions & JsonOption) => {
    const app = await resolveApp(ctx, options);
    const client = await connect(ctx);
    const addon = await resolveAddon(client, app, ref, 'postgresql');
    const backups = await client.listBackups(addon.id);
    if (options.json) return printJson(ctx, backups);
    const schedule = addon.backup_schedule;
    printLines(ctx, [
      ...formatBackups(backups),
      '',
      schedule ? `Scheduled daily at ${schedule.at}, keeping ${String(schedule.retention)}.` : `No schedule: paas pg:backups:schedule --at '02:00 UTC' -a ${app}.`,
    ]);
  });
}

const size = (bytes: number | null): string => (bytes === null ? '-' : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** One row per backup: newest first, with its verification ("verified: 3 tables, 120 rows"). */
export function formatBackups(backups: readonly AddonBackupResource[]): string[] {
  if (backups.length === 0) return ['No backups yet: capture one with paas pg:backups:capture.'];
  return formatTable(backups, [
    { header: 'Backup', get: (b) => b.name },
    { header: 'Taken', get: (b) => b.created_at },
    { header: 'Status', get: (b) => (b.status === 'completed' && b.verified ? `verified: ${String(b.verified.tables)} tables, ${String(b.verified.rows)} rows` : b.status === 'failed' ? `failed: ${(b.error ?? '').slice(0, 80)}` : b.status) },
    { header: 'Size', get: (b) => size(b.size) },
    { header: 'Kind', get: (b) => (b.scheduled ? 'scheduled' : 'manual') },
  ]);
}
