import type { Command } from 'commander';

import { withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export function registerReviewappsDisable(program: Command, ctx: CliContext): void {
  const command = program
    .command('reviewapps:disable')
    .description('stop making review apps from branch pushes (existing ones stay until their branch is deleted)')
    .requiredOption('-p, --pipeline <pipeline>', 'the pipeline');
  withExamples(command, ['paas reviewapps:disable -p shop']);
  command.action(async (options: { pipeline: string }) => {
    const client = await connect(ctx);
    await runAction(ctx, `Disabling review apps for ${options.pipeline}`, () => client.disableReviewApps(options.pipeline));
  });
}
