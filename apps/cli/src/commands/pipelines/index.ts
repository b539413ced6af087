import type { Command } from 'commander';

import { withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatHeader } from '../../table.js';

export function registerPipelines(program: Command, ctx: CliContext): void {
  const command = program.command('pipelines').description('list pipelines');
  withJsonOption(command);
  withExamples(command, ['paas pipelines', 'paas pipelines --json']);
  command.action(async (options: JsonOption) => {
    const client = await connect(ctx);
    const pipelines = await client.listPipelines();
    if (options.json) return printJson(ctx, pipelines);
    if (pipelines.length === 0) return printLines(ctx, ['No pipelines: make one with paas pipelines:create NAME -a APP --stage staging.']);
    printLines(ctx, [formatHeader('Pipelines'), ...pipelines.map((pipeline) => pipeline.name)]);
  });
}
