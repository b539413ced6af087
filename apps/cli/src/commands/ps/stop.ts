import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';
import { checkProcessSelector, describeSelection } from '../../process-selector.js';

export function registerPsStop(program: Command, ctx: CliContext): void {
  const command = program
    .command('ps:stop')
    .summary('stop the processes of one type, or one process')
    .description(
      'stop the processes of one type, or one process; the formation starts them again, so scale the type to 0 (paas ps:scale web=0) to keep them stopped',
    )
    .argument('<TYPE|NAME>', 'a process type (web) or one process (web.1, run.1234)');
  withAppOptions(command);
  withExamples(command, ['paas ps:stop run.4821 -a demo', 'paas ps:stop web.2', 'paas ps:stop worker']);
  command.action((selector: string, options: AppOptions) => stopProcesses(ctx, selector, options));
}

async function stopProcesses(ctx: CliContext, given: string, options: AppOptions): Promise<void> {
  const selector = checkProcessSelector(given);
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  await runAction(ctx, `Stopping ${describeSelection(selector)} on ${app}`, () => client.stopDynos(app, selector));
}
