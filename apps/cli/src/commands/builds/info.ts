import type { BuildResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { resolveBuildId } from '../../build-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printSection } from '../../output.js';
import { formatTimeWithAge } from '../../relative-time.js';
import { formatKeyValues } from '../../table.js';

export function registerBuildsInfo(program: Command, ctx: CliContext): void {
  const command = program
    .command('builds:info')
    .description('show one build: its status, source, and the release it made')
    .argument('[id]', 'the build id, or its start as paas builds shows it (default: the newest build)');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas builds:info -a demo', 'paas builds:info 3f2a1b4c', 'paas builds:info --json']);
  command.action((id: string | undefined, options: AppOptions & JsonOption) => showBuild(ctx, id, options));
}

async function showBuild(ctx: CliContext, given: string | undefined, options: AppOptions & JsonOption): Promise<void> {
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const build = await client.getBuild(app, await resolveBuildId(client, app, given));
  if (options.json) return printJson(ctx, build);
  printSection(ctx, `Build ${build.id}`, formatBuildInfo(build));
}

export function formatBuildInfo(build: BuildResource, now: Date = new Date()): string[] {
  return formatKeyValues([
    ['By', build.actor],
    ['Commit', build.source_blob.version ?? 'none (an upload with paas deploy)'],
    ['Finished', build.finished_at ? formatTimeWithAge(build.finished_at, now) : 'not yet'],
    ['Release', build.release ? `v${String(build.release.version)}` : 'none'],
    ['Slug', build.slug?.id ?? 'none'],
    ['Started', formatTimeWithAge(build.created_at, now)],
    ['Status', build.status],
  ]);
}
