import type { AppResource } from '@paas/core';
import type { Command } from 'commander';

import { checkAppName } from '../../app-target.js';
import { CliError } from '../../cli-error.js';
import { withExamples, withJsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { DEFAULT_REMOTE, getRemoteUrl, isInsideWorkTree } from '../../git-remote.js';
import { printJson, printLines, runAction } from '../../output.js';
import { linkRemote } from '../../remote-link.js';

interface CreateOptions {
  readonly remote: string;
  readonly json?: boolean;
}

export function registerAppsCreate(program: Command, ctx: CliContext): void {
  const command = program
    .command('apps:create')
    .description('create an app; inside a git repository, also add a git remote for it')
    .argument('[name]', 'the app name (default: a generated one like calm-river-12345)')
    .option('-r, --remote <remote>', 'name of the git remote to add', DEFAULT_REMOTE);
  withJsonOption(command);
  withExamples(command, ['paas apps:create demo', 'paas apps:create', 'paas apps:create demo --remote staging']);
  command.action((name: string | undefined, options: CreateOptions) => createApp(ctx, name, options));
}

async function createApp(ctx: CliContext, name: string | undefined, options: CreateOptions): Promise<void> {
  if (name !== undefined) checkAppName(name);
  const client = await connect(ctx);
  const app = await runAction(
    ctx,
    `Creating ${name ?? 'app'}`,
    () => client.createApp(name === undefined ? {} : { name }),
    (created) => (name === undefined ? `done, ${created.name}` : 'done'),
  );
  if (options.json) printJson(ctx, app);
  else printLines(ctx, [`${app.web_url} | ${app.git_url}`]);
  await linkGitRemote(ctx, options.remote, app);
}

/** Adds the remote when run inside a work tree; an existing remote of that name is left alone. */
async function linkGitRemote(ctx: CliContext, remote: string, app: AppResource): Promise<void> {
  if (!(await isInsideWorkTree(ctx.cwd))) return;
  const existing = await getRemoteUrl(ctx.cwd, remote);
  if (existing !== undefined) {
    ctx.stderr.write(
      `Git remote ${remote} already exists (${existing}), so it was left as it is: ` +
        `add one for ${app.name} with paas apps:create --remote NAME, or git remote add NAME ${app.git_url}.\n`,
    );
    return;
  }
  try {
    await linkRemote(ctx, remote, app.git_url, undefined);
  } catch (error) {
    throw new CliError(
      `${app.name} was created, but adding the git remote ${remote} failed: add it yourself with ` +
        `git remote add ${remote} ${app.git_url}\n${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  ctx.stderr.write(`Git remote ${remote} added: ${app.git_url}\n`);
}
