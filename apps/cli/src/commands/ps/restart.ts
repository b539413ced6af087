import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';
import { checkProcessSelector, describeSelection } from '../../process-selector.js';

export function registerPsRestart(program: Command, ctx: CliContext): void {
  const command = program
    .command('ps:restart')
    .description("restart an app's processes: all of them, those of one type, or one process")
    .argument('[TYPE|NAME]', 'a process type (web) or one process (web.1); default: every process');
  withAppOptions(command);
  withExamples(command, ['paas ps:restart -a demo', 'paas ps:restart web', 'paas ps:restart web.1']);
  command.action((selector: string | undefined, options: AppOptions) => restartProcesses(ctx, selector, options));
}

async function restartProcesses(ctx: CliContext, given: string | undefined, options: AppOptions): Promise<void> {
  const selector = given === undefined ? undefined : checkProcessSelector(given);
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  await runAction(ctx, `Restarting ${describeSelection(selector)} on ${app}`, () => client.restartDynos(app, selector));
}
