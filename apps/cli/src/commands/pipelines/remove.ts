import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export function registerPipelinesRemove(program: Command, ctx: CliContext): void {
  const command = program.command('pipelines:remove').description('take the app out of its pipeline (the app stays)');
  withAppOptions(command);
  withExamples(command, ['paas pipelines:remove -a shop-staging']);
  command.action(async (options: AppOptions) => {
    const app = await resolveApp(ctx, options);
    const client = await connect(ctx);
    const coupling = await client.getAppPipelineCoupling(app);
    await runAction(ctx, `Removing ${app} from ${coupling.pipeline.name} pipeline`, () => client.deletePipelineCoupling(coupling.id));
  });
}
