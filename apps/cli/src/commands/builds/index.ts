import type { BuildResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { shortBuildId } from '../../build-target.js';
import { countParser, withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines, printSection } from '../../output.js';
import { formatRelativeTime } from '../../relative-time.js';
import { formatTable } from '../../table.js';

export const DEFAULT_BUILD_COUNT = 15;
const MAX_BUILD_COUNT = 1000;

interface BuildsOptions extends AppOptions, JsonOption {
  readonly num: number;
}

export function registerBuilds(program: Command, ctx: CliContext): void {
  const command = program
    .command('builds')
    .description("list an app's builds, newest first")
    .option('-n, --num <count>', 'how many builds to show', countParser(MAX_BUILD_COUNT), DEFAULT_BUILD_COUNT);
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas builds -a demo', 'paas builds -n 50', 'paas builds --json']);
  command.action((options: BuildsOptions) => listBuilds(ctx, options));
}

async function listBuilds(ctx: CliContext, options: BuildsOptions): Promise<void> {
  const app = await resolveApp(ctx, options);
  const builds = (await (await connect(ctx)).listBuilds(app)).slice(0, options.num);
  if (options.json) return printJson(ctx, builds);
  if (builds.length === 0) return printLines(ctx, [`${app} has no builds yet: deploy with git push or paas deploy.`]);
  printSection(ctx, `${app} Builds`, formatBuildsTable(builds));
}

export function formatBuildsTable(builds: readonly BuildResource[], now: Date = new Date()): string[] {
  return formatTable(builds, [
    { header: 'ID', get: (build) => shortBuildId(build.id) },
    { header: 'Status', get: (build) => build.status },
    { header: 'Commit', get: (build) => build.source_blob.version?.slice(0, 7) ?? '-' },
    { header: 'By', get: (build) => build.actor },
    { header: 'When', get: (build) => formatRelativeTime(build.created_at, now) },
  ]);
}
