import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { parseConfigKeys } from '../../config-assignment.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';
import { describeConfigOutcome } from '../../config-outcome.js';

export function registerConfigUnset(program: Command, ctx: CliContext): void {
  const command = program
    .command('config:unset')
    .description('remove config vars and restart the app (makes a new release)')
    .argument('<KEY...>', 'config vars to remove');
  withAppOptions(command);
  withExamples(command, ['paas config:unset RAILS_ENV -a demo', 'paas config:unset A B C']);
  command.action((keys: string[], options: AppOptions) => unsetConfigVars(ctx, keys, options));
}

async function unsetConfigVars(ctx: CliContext, args: string[], options: AppOptions): Promise<void> {
  const keys = parseConfigKeys(args);
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  await runAction(
    ctx,
    `Unsetting ${keys.join(', ')} and restarting ${app}`,
    () => client.updateConfigVars(app, Object.fromEntries(keys.map((key) => [key, null]))),
    describeConfigOutcome,
  );
}
