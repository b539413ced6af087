import type { Command } from 'commander';

import { checkAppName } from '../../app-target.js';
import { CliError, usageError } from '../../cli-error.js';
import { withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { DEFAULT_REMOTE, getRemoteUrl, isInsideWorkTree } from '../../git-remote.js';
import { linkRemote } from '../../remote-link.js';

interface RemoteOptions {
  readonly app?: string;
  readonly remote: string;
}

export function registerGitRemote(program: Command, ctx: CliContext): void {
  const command = program
    .command('git:remote')
    .description("point a git remote (paas unless -r) of this repository at an existing app's git URL")
    .option('-a, --app <app>', 'the app whose git URL the remote gets')
    .option('-r, --remote <remote>', 'name of the git remote to add or change', DEFAULT_REMOTE);
  withExamples(command, ['paas git:remote -a demo', 'paas git:remote -a demo-staging -r staging']);
  command.action((options: RemoteOptions) => pointRemote(ctx, options));
}

/** As Heroku's git:remote: adds the remote, or changes its URL when it exists already. */
async function pointRemote(ctx: CliContext, options: RemoteOptions): Promise<void> {
  if (options.app === undefined) throw usageError('No app given: pass -a APP (paas apps lists them).');
  const name = checkAppName(options.app);
  if (!(await isInsideWorkTree(ctx.cwd))) {
    throw usageError('This is not inside a git repository: run git init (or cd into the repository), then this again.');
  }
  const client = await connect(ctx);
  const app = await client.getApp(name);
  const existing = await getRemoteUrl(ctx.cwd, options.remote);
  try {
    await linkRemote(ctx, options.remote, app.git_url, existing);
  } catch (error) {
    throw new CliError(`Setting the git remote ${options.remote} failed: set it yourself with git remote add ${options.remote} ${app.git_url}\n${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  ctx.stdout.write(`set git remote ${options.remote} to ${app.git_url}${existing !== undefined && existing !== app.git_url ? ` (was ${existing})` : ''}\n`);
}
