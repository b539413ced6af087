import type { AddonAttachmentResource, AddonResource } from '@paas/core';
import type { Command } from 'commander';

import { withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatHeader, formatKeyValues } from '../../table.js';

export function registerAddonsInfo(program: Command, ctx: CliContext): void {
  const command = program.command('addons:info').description('show an add-on: its plan, owner, state and attachments').argument('<ADDON>', "the add-on's name or id");
  withJsonOption(command);
  withExamples(command, ['paas addons:info postgresql-calm-river-12345']);
  command.action((ref: string, options: JsonOption) => showAddon(ctx, ref, options));
}

async function showAddon(ctx: CliContext, ref: string, options: JsonOption): Promise<void> {
  const client = await connect(ctx);
  const [addon, attachments] = await Promise.all([client.getAddon(ref), client.listAddonAttachments({ addon: ref })]);
  if (options.json) return printJson(ctx, { ...addon, attachments });
  printLines(ctx, formatAddonInfo(addon, attachments));
}

export function formatAddonInfo(addon: AddonResource, attachments: readonly AddonAttachmentResource[]): string[] {
  return [
    formatHeader(addon.name),
    ...formatKeyValues([
      ['Plan', addon.plan.name],
      ...(addon.version === null ? [] : ([['Version', addon.version]] as [string, string][])),
      ['Memory', addon.memory_mb === null ? 'not limited' : `${String(addon.memory_mb)} MB`],
      ['Owning app', addon.app.name],
      ['State', addon.state_reason ? `${addon.state}: ${addon.state_reason}` : addon.state],
      ['Attachments', attachments.map((a) => `${a.app.name}::${a.name}`).join(', ') || '-'],
      ['Config vars', addon.config_vars.join(', ') || '-'],
      ['Created', addon.created_at],
    ]),
  ];
}
