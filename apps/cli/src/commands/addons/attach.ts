import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, runAction } from '../../output.js';

export function registerAddonsAttach(program: Command, ctx: CliContext): void {
  const command = program
    .command('addons:attach')
    .description("attach an existing add-on to another app: a new release of that app with the add-on's URL")
    .argument('<ADDON>', "the add-on's name or id")
    .option('--as <NAME>', 'the attachment name: the app gets NAME_URL (default DATABASE or REDIS)');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas addons:attach postgresql-calm-river-12345 -a reports', 'paas addons:attach notes-cache --as CACHE -a worker']);
  command.action((addon: string, options: AppOptions & JsonOption & { as?: string }) => attach(ctx, addon, options));
}

async function attach(ctx: CliContext, addon: string, options: AppOptions & JsonOption & { as?: string }): Promise<void> {
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const attachment = await runAction(ctx, `Attaching ${addon} to ${app}`, () => client.attachAddon({ addon, app, ...(options.as ? { name: options.as } : {}) }), (a) => `done, as ${a.name}_URL`);
  if (options.json) printJson(ctx, attachment);
}
