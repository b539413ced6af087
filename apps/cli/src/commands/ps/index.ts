import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatProcessList, groupProcesses } from '../../process-list.js';

export function registerPs(program: Command, ctx: CliContext): void {
  const command = program.command('ps').description("list an app's processes: their state, since when, and their release");
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas ps -a demo', 'paas ps --json']);
  command.action((options: AppOptions & JsonOption) => listProcesses(ctx, options));
}

async function listProcesses(ctx: CliContext, options: AppOptions & JsonOption): Promise<void> {
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  if (options.json) return printJson(ctx, await client.listDynos(app));
  const [dynos, formation] = await Promise.all([client.listDynos(app), client.listFormation(app)]);
  if (dynos.length === 0) {
    return printLines(ctx, [`${app} has no processes: deploy code (git push or paas deploy), or scale up (paas ps:scale web=1).`]);
  }
  printLines(ctx, formatProcessList(groupProcesses(dynos, formation)));
}
