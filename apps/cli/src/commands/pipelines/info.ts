import type { Command } from 'commander';

import { PIPELINE_STAGES } from '@paas/core';
import type { PipelineCouplingResource } from '@paas/core';

import { withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatHeader, formatTable } from '../../table.js';

export function registerPipelinesInfo(program: Command, ctx: CliContext): void {
  const command = program.command('pipelines:info').description('show a pipeline\'s apps by stage').argument('<PIPELINE>', 'the pipeline\'s name or id');
  withJsonOption(command);
  withExamples(command, ['paas pipelines:info shop', 'paas pipelines:info shop --json']);
  command.action(async (name: string, options: JsonOption) => {
    const client = await connect(ctx);
    const [pipeline, couplings] = await Promise.all([client.getPipeline(name), client.listPipelineCouplings(name)]);
    if (options.json) return printJson(ctx, { pipeline, couplings });
    printLines(ctx, formatPipelineInfo(pipeline.name, couplings));
  });
}

export function formatPipelineInfo(name: string, couplings: readonly PipelineCouplingResource[]): string[] {
  if (couplings.length === 0) return [formatHeader(name), `No apps yet: add one with paas pipelines:add ${name} -a APP --stage staging.`];
  const order = (stage: string): number => (PIPELINE_STAGES as readonly string[]).indexOf(stage);
  const sorted = [...couplings].sort((a, b) => order(a.stage) - order(b.stage) || a.app.name.localeCompare(b.app.name));
  return [formatHeader(name), ...formatTable(sorted, [{ header: 'App', get: (c) => c.app.name }, { header: 'Stage', get: (c) => c.stage }])];
}
