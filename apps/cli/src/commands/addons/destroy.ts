import type { Command } from 'commander';

import { CliError, usageError } from '../../cli-error.js';
import { withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { isInteractive } from '../../context.js';
import { runAction } from '../../output.js';
import { promptLine } from '../../prompt.js';

export function registerAddonsDestroy(program: Command, ctx: CliContext): void {
  const command = program
    .command('addons:destroy')
    .description('destroy an add-on and its data for good; every app it is attached to gets a release without its URL')
    .argument('<ADDON>', "the add-on's name or id")
    .option('--confirm <ADDON>', "the add-on's name again, to confirm without being asked");
  withExamples(command, ['paas addons:destroy postgresql-calm-river-12345 --confirm postgresql-calm-river-12345']);
  command.action((addon: string, options: { confirm?: string }) => destroy(ctx, addon, options));
}

async function destroy(ctx: CliContext, ref: string, options: { confirm?: string }): Promise<void> {
  const client = await connect(ctx);
  const addon = await client.getAddon(ref);
  const attachments = await client.listAddonAttachments({ addon: addon.id });
  const consequence = `This destroys ${addon.name} and all its data${attachments.length > 0 ? `, and detaches it from ${attachments.map((a) => `${a.app.name} (${a.name}_URL)`).join(', ')}` : ''}`;
  if (options.confirm !== undefined) {
    if (options.confirm !== addon.name) throw usageError(`--confirm ${options.confirm} does not match the add-on ${addon.name}: nothing was destroyed.`);
  } else {
    if (!isInteractive(ctx)) throw usageError(`Destroying ${addon.name} cannot be undone, and there is no terminal to ask: pass --confirm ${addon.name}.`);
    ctx.stderr.write(` ▸    ${consequence}, and cannot be undone.\n`);
    if ((await promptLine(ctx, ` ▸    To proceed, type ${addon.name}: `)) !== addon.name) throw new CliError(`Confirmation did not match ${addon.name}: nothing was destroyed.`);
  }
  await runAction(ctx, `Destroying ${addon.name}`, () => client.deleteAddon(addon.id));
}
