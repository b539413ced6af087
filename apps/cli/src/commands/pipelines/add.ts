import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';
import { stageOption } from './create.js';
import type { StageOption } from './create.js';

export function registerPipelinesAdd(program: Command, ctx: CliContext): void {
  const command = program
    .command('pipelines:add')
    .description('add the app to a pipeline at a stage')
    .argument('<PIPELINE>', 'the pipeline\'s name or id')
    .addOption(stageOption());
  withAppOptions(command);
  withExamples(command, ['paas pipelines:add shop -a shop-prod --stage production']);
  command.action(async (pipeline: string, options: AppOptions & StageOption) => {
    const app = await resolveApp(ctx, options);
    const client = await connect(ctx);
    await runAction(ctx, `Adding ${app} to ${pipeline} pipeline as ${options.stage}`, () => client.createPipelineCoupling({ app, pipeline, stage: options.stage }));
  });
}
