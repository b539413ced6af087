import type { AddonResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatTable } from '../../table.js';

export function registerAddons(program: Command, ctx: CliContext): void {
  const command = program
    .command('addons')
    .description("list an app's add-ons (its own and those attached from other apps), or every add-on with --all")
    .option('--all', 'every add-on on the platform');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas addons -a demo', 'paas addons --all']);
  command.action((options: AppOptions & JsonOption & { all?: boolean }) => listAddons(ctx, options));
}

async function listAddons(ctx: CliContext, options: AppOptions & JsonOption & { all?: boolean }): Promise<void> {
  const app = options.all ? undefined : await resolveApp(ctx, options);
  const client = await connect(ctx);
  const addons = await client.listAddons(app);
  if (options.json) return printJson(ctx, addons);
  printLines(ctx, formatAddons(addons, app));
}

/** heroku addons: one row per add-on with its plan, its owner and the config vars its attachments set. */
export function formatAddons(addons: readonly AddonResource[], app: string | undefined): string[] {
  if (addons.length === 0) return [app === undefined ? 'No add-ons.' : `${app} has no add-ons: add one with paas addons:create postgresql -a ${app}.`];
  return formatTable(addons, [
    { header: 'Add-on', get: (addon) => addon.name },
    { header: 'Plan', get: (addon) => addon.plan.name },
    { header: 'Owner', get: (addon) => (app !== undefined && addon.app.name !== app ? `${addon.app.name} (attached)` : addon.app.name) },
    { header: 'Config vars', get: (addon) => addon.config_vars.join(', ') || '-' },
    { header: 'State', get: (addon) => addon.state },
  ]);
}
