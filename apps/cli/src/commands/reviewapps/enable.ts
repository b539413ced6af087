import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';

import { parseConfigAssignments } from '../../config-assignment.js';
import { withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, runAction } from '../../output.js';

interface EnableOptions extends JsonOption {
  readonly pipeline: string;
  readonly autodeploy?: boolean;
  readonly staleDays?: number;
  readonly env?: string[];
}

function parseDays(value: string): number {
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1 || days > 365) throw new InvalidArgumentError('give a whole number of days from 1 to 365.');
  return days;
}

export function registerReviewappsEnable(program: Command, ctx: CliContext): void {
  const command = program
    .command('reviewapps:enable')
    .description('make a review app for each branch pushed to an app of the pipeline (git push paas BRANCH)')
    .requiredOption('-p, --pipeline <pipeline>', 'the pipeline')
    .option('--autodeploy', 'later pushes of a branch deploy its review app again')
    .option('--stale-days <days>', 'destroy review apps not pushed to for this many days', parseDays)
    .option('--env <KEY=VALUE...>', 'config vars every review app starts with');
  withJsonOption(command);
  withExamples(command, ['paas reviewapps:enable -p shop --autodeploy --stale-days 5', 'paas reviewapps:enable -p shop --env PAYMENTS=sandbox']);
  command.action(async (options: EnableOptions) => {
    const env = options.env ? parseConfigAssignments(options.env) : {};
    const client = await connect(ctx);
    const config = await runAction(ctx, `Enabling review apps for ${options.pipeline}`, () =>
      client.enableReviewApps(options.pipeline, { autodeploy: options.autodeploy === true, stale_days: options.staleDays ?? null, env }),
    );
    if (options.json) printJson(ctx, config);
  });
}
