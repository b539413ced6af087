import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { usageError } from '../../cli-error.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export function registerAddonsDetach(program: Command, ctx: CliContext): void {
  const command = program
    .command('addons:detach')
    .description('detach an add-on from an app: a new release without its URL (the add-on and its data stay)')
    .argument('<ATTACHMENT>', 'the attachment (DATABASE, DATABASE_URL) or the add-on\'s name');
  withAppOptions(command);
  withExamples(command, ['paas addons:detach DATABASE -a reports']);
  command.action((ref: string, options: AppOptions) => detach(ctx, ref, options));
}

async function detach(ctx: CliContext, ref: string, options: AppOptions): Promise<void> {
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const name = ref.toUpperCase().replace(/_URL$/, '');
  const attachments = await client.listAddonAttachments({ app });
  const attachment = attachments.find((a) => a.name === name) ?? attachments.find((a) => a.addon.name === ref || a.addon.id === ref);
  if (!attachment) throw usageError(`${app} has no attachment ${ref}: see paas addons -a ${app}.`);
  await runAction(ctx, `Detaching ${attachment.name} from ${app}`, () => client.detachAddon(attachment.id));
}
