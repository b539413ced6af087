import { Option } from 'commander';
import type { Command } from 'commander';

import { PIPELINE_STAGES } from '@paas/core';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export interface StageOption {
  readonly stage: string;
}

export const stageOption = (): Option => new Option('-s, --stage <stage>', 'the stage of the app in the pipeline').choices([...PIPELINE_STAGES]).makeOptionMandatory();

export function registerPipelinesCreate(program: Command, ctx: CliContext): void {
  const command = program
    .command('pipelines:create')
    .description('make a pipeline and add the app to it at a stage')
    .argument('<NAME>', 'the pipeline\'s name (the app-name rule: review apps are named after it)')
    .addOption(stageOption());
  withAppOptions(command);
  withExamples(command, ['paas pipelines:create shop -a shop-staging --stage staging']);
  command.action(async (name: string, options: AppOptions & StageOption) => {
    const app = await resolveApp(ctx, options);
    const client = await connect(ctx);
    await runAction(ctx, `Creating ${name} pipeline`, () => client.createPipeline(name));
    await runAction(ctx, `Adding ${app} to ${name} pipeline as ${options.stage}`, () => client.createPipelineCoupling({ app, pipeline: name, stage: options.stage }));
  });
}
