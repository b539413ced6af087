import type { Command } from 'commander';

import { withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines, printSection } from '../../output.js';
import { formatBytes, formatDiskItems } from './index.js';

export function registerDiskCollect(program: Command, ctx: CliContext): void {
  const command = program
    .command('disk:collect')
    .description("remove slugs, images and unpacked copies no recent release needs (each app's newest PAAS_KEEP_RELEASES are kept)");
  withJsonOption(command);
  withExamples(command, ['paas disk:collect', 'paas disk:collect --json']);
  command.action((options: JsonOption) => collectDisk(ctx, options));
}

async function collectDisk(ctx: CliContext, options: JsonOption): Promise<void> {
  const result = await (await connect(ctx)).collectDisk();
  if (options.json) return printJson(ctx, result);
  if (result.removed.length === 0) printLines(ctx, ['Nothing to collect.']);
  else printSection(ctx, `Freed ${formatBytes(result.freed_bytes)}`, formatDiskItems(result.removed));
  if (result.skipped.length > 0) printSection(ctx, 'Kept: came into use meanwhile', formatDiskItems(result.skipped));
}
