import type { Command } from 'commander';

import { confirmAppName } from '../../../app-confirmation.js';
import { resolveApp } from '../../../app-target.js';
import type { AppOptions } from '../../../app-target.js';
import { withAppOptions, withExamples } from '../../../command-options.js';
import { connect } from '../../../connection.js';
import type { CliContext } from '../../../context.js';
import { runAction } from '../../../output.js';

interface PurgeOptions extends AppOptions {
  readonly confirm?: string;
}

export function registerBuildsCachePurge(program: Command, ctx: CliContext): void {
  const command = program
    .command('builds:cache:purge')
    .description("delete an app's build cache, so that the next build starts from scratch")
    .option('--confirm <app>', 'the app name again, to confirm without being asked');
  withAppOptions(command);
  withExamples(command, ['paas builds:cache:purge -a demo', 'paas builds:cache:purge -a demo --confirm demo']);
  command.action((options: PurgeOptions) => purgeBuildCache(ctx, options));
}

async function purgeBuildCache(ctx: CliContext, options: PurgeOptions): Promise<void> {
  const app = await resolveApp(ctx, options);
  await confirmAppName(ctx, {
    app,
    confirm: options.confirm,
    action: `Purging the build cache of ${app}`,
    consequence: `This deletes the build cache of ${app}: its next build downloads and compiles everything again`,
    outcome: 'the cache was left as it is',
  });
  const client = await connect(ctx);
  await runAction(ctx, `Purging build cache of ${app}`, () => client.purgeBuildCache(app));
}
