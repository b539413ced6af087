import type { Command } from 'commander';

import { checkAppName, resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { CliError, usageError } from '../../cli-error.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import { isInteractive } from '../../context.js';
import type { CliContext } from '../../context.js';
import { appFromGitUrl, getRemoteUrl, removeRemote } from '../../git-remote.js';
import { runAction } from '../../output.js';
import { promptLine } from '../../prompt.js';

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
  await confirmDestroy(ctx, app, options.confirm);
  const client = await connect(ctx);
  await runAction(ctx, `Destroying ${app} (including all releases, config and processes)`, () => client.deleteApp(app));
  await unlinkGitRemote(ctx, options.remote, app);
}

async function confirmDestroy(ctx: CliContext, app: string, confirm: string | undefined): Promise<void> {
  if (confirm !== undefined) {
    if (confirm !== app) throw usageError(`--confirm ${confirm} does not match the app ${app}: nothing was destroyed.`);
    return;
  }
  if (!isInteractive(ctx)) {
    throw usageError(`Destroying ${app} cannot be undone, and there is no terminal to ask: pass --confirm ${app}.`);
  }
  ctx.stderr.write(` ▸    This destroys ${app} with all its releases, config and processes, and cannot be undone.\n`);
  const answer = await promptLine(ctx, ` ▸    To proceed, type ${app}: `);
  if (answer !== app) throw new CliError(`Confirmation did not match ${app}: nothing was destroyed.`);
}

/** The remote would point at nothing now; remove it when it named this very app. */
async function unlinkGitRemote(ctx: CliContext, remote: string, app: string): Promise<void> {
  const url = await getRemoteUrl(ctx.cwd, remote);
  if (url === undefined || appFromGitUrl(url) !== app) return;
  await removeRemote(ctx.cwd, remote);
  ctx.stderr.write(`Git remote ${remote} removed\n`);
}
