import type { Command } from 'commander';

import { confirmAppName } from '../../app-confirmation.js';
import { checkAppName, resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { appFromGitUrl, getRemoteUrl, removeRemote } from '../../git-remote.js';
import { runAction } from '../../output.js';

interface DestroyOptions extends AppOptions {
  readonly confirm?: string;
}

export function registerAppsDestroy(program: Command, ctx: CliContext): void {
  const command = program
    .command('apps:destroy')
    .description('destroy an app with all its releases, config and processes, for good')
    .argument('[app]', 'the app to destroy (same as -a)')
    .option('--confirm <app>', 'the app name again, to confirm without being asked');
  withAppOptions(command);
  withExamples(command, ['paas apps:destroy -a demo', 'paas apps:destroy demo --confirm demo']);
  command.action((app: string | undefined, options: DestroyOptions) => destroyApp(ctx, app, options));
}

async function destroyApp(ctx: CliContext, positional: string | undefined, options: DestroyOptions): Promise<void> {
  const app = positional !== undefined ? checkAppName(positional) : await resolveApp(ctx, options);
  await confirmAppName(ctx, {
    app,
    confirm: options.confirm,
    action: `Destroying ${app}`,
    consequence: `This destroys ${app} with all its releases, config and processes`,
    outcome: 'nothing was destroyed',
  });
  const client = await connect(ctx);
  await runAction(ctx, `Destroying ${app} (including all releases, config and processes)`, () => client.deleteApp(app));
  await unlinkGitRemote(ctx, options.remote, app);
}

/** The remote would point at nothing now; remove it when it named this very app. */
async function unlinkGitRemote(ctx: CliContext, remote: string, app: string): Promise<void> {
  const url = await getRemoteUrl(ctx.cwd, remote);
  if (url === undefined || appFromGitUrl(url) !== app) return;
  await removeRemote(ctx.cwd, remote);
  ctx.stderr.write(`Git remote ${remote} removed\n`);
}
