import type { Command } from 'commander';

import { withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export function registerPipelinesDestroy(program: Command, ctx: CliContext): void {
  const command = program.command('pipelines:destroy').description('remove a pipeline; its apps stay').argument('<PIPELINE>', 'the pipeline\'s name or id');
  withExamples(command, ['paas pipelines:destroy shop']);
  command.action(async (name: string) => {
    const client = await connect(ctx);
    await runAction(ctx, `Destroying ${name} pipeline`, () => client.deletePipeline(name));
  });
}
