import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatPipelineDiff, parseTargets } from '../../pipeline-diff.js';

export interface ToOption {
  readonly to?: string;
}

export function registerPipelinesDiff(program: Command, ctx: CliContext): void {
  const command = program
    .command('pipelines:diff')
    .description('show what promoting the app would bring downstream: commits, missing config vars and add-ons')
    .option('-t, --to <apps>', 'compare with these apps (comma-separated; default: the next stage\'s)');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas pipelines:diff -a shop-staging', 'paas pipelines:diff -a shop-staging --to shop-prod']);
  command.action(async (options: AppOptions & JsonOption & ToOption) => {
    const app = await resolveApp(ctx, options);
    const client = await connect(ctx);
    const diff = await client.getPipelineDiff(app, parseTargets(options.to));
    if (options.json) return printJson(ctx, diff);
    printLines(ctx, formatPipelineDiff(diff));
  });
}
