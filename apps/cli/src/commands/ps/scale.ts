import type { FormationResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printSection, runAction } from '../../output.js';
import { parseScaleArguments } from '../../scale-argument.js';
import { formatTable } from '../../table.js';

export function registerPsScale(program: Command, ctx: CliContext): void {
  const command = program
    .command('ps:scale')
    .description('change how many processes of each type run, and their size')
    .argument('<TYPE=N...>', 'web=2, worker=+1, web=-1, web=2:standard-2x or web=standard-2x');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas ps:scale web=2 -a demo', 'paas ps:scale web=+1 worker=0', 'paas ps:scale web=1:standard-2x']);
  command.action((args: string[], options: AppOptions & JsonOption) => scale(ctx, args, options));
}

async function scale(ctx: CliContext, args: string[], options: AppOptions & JsonOption): Promise<void> {
  const updates = parseScaleArguments(args);
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const formation = await runAction(
    ctx,
    `Scaling ${app}`,
    () => client.updateFormation(app, updates),
    (result) => `done, now running ${describeFormation(result)}`,
  );
  if (options.json) return printJson(ctx, formation);
  printSection(ctx, `${app} Formation`, formatFormationTable(formation));
}

export function describeFormation(formation: readonly FormationResource[]): string {
  if (formation.length === 0) return 'nothing';
  return formation.map((entry) => `${entry.type} at ${String(entry.quantity)}:${entry.size}`).join(', ');
}

export function formatFormationTable(formation: readonly FormationResource[]): string[] {
  return formatTable(formation, [
    { header: 'Type', get: (entry) => entry.type },
    { header: 'Quantity', get: (entry) => String(entry.quantity) },
    { header: 'Size', get: (entry) => entry.size },
    { header: 'Command', get: (entry) => entry.command },
  ]);
}
