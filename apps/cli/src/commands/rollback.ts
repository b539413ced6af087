import { parseReleaseVersion } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../app-target.js';
import type { AppOptions } from '../app-target.js';
import { CliError } from '../cli-error.js';
import { withAppOptions, withExamples } from '../command-options.js';
import { connect } from '../connection.js';
import type { CliContext } from '../context.js';
import { runAction } from '../output.js';

export function registerRollback(program: Command, ctx: CliContext): void {
  const command = program
    .command('rollback')
    .description("make a new release with an earlier release's code and config")
    .argument('[release]', 'the release to go back to: v7, 7 or its id (default: the one before the current)');
  withAppOptions(command);
  withExamples(command, ['paas rollback -a demo', 'paas rollback v2 -a demo']);
  command.action((release: string | undefined, options: AppOptions) => rollback(ctx, release, options));
}

async function rollback(ctx: CliContext, requested: string | undefined, options: AppOptions): Promise<void> {
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const target = requested === undefined ? previousVersion(app, await client.getApp(app)) : targetOf(requested);
  const shown = typeof target === 'number' ? `v${String(target)}` : target;
  await runAction(
    ctx,
    `Rolling back ${app} to ${shown}`,
    () => client.rollback(app, target),
    (release) => `done, v${String(release.version)}`,
  );
}

/** The user's words as the API takes them: a version number, or a release id as given. */
function targetOf(requested: string): number | string {
  return parseReleaseVersion(requested) ?? requested.trim();
}

function previousVersion(app: string, current: { current_release: { version: number } | null }): number {
  const version = current.current_release?.version;
  if (version === undefined || version <= 1) {
    throw new CliError(`${app} has no release before ${version === undefined ? 'its first' : 'v1'} to roll back to.`);
  }
  return version - 1;
}
