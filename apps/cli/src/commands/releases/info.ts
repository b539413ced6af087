import { parseReleaseVersion } from '@paas/core';
import type { ReleaseResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { CliError } from '../../cli-error.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printSection } from '../../output.js';
import { formatTimeWithAge } from '../../relative-time.js';
import { formatKeyValues } from '../../table.js';

export function registerReleasesInfo(program: Command, ctx: CliContext): void {
  const command = program
    .command('releases:info')
    .description('show one release')
    .argument('[release]', 'v7, 7 or the release id (default: the newest)');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas releases:info v3 -a demo', 'paas releases:info --json']);
  command.action((release: string | undefined, options: AppOptions & JsonOption) => showRelease(ctx, release, options));
}

async function showRelease(
  ctx: CliContext,
  requested: string | undefined,
  options: AppOptions & JsonOption,
): Promise<void> {
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  let release: ReleaseResource | undefined;
  if (requested === undefined) {
    release = (await client.listReleases(app, { max: 1 })).releases[0];
    if (!release) throw new CliError(`${app} has no releases yet.`);
  } else {
    release = await client.getRelease(app, parseReleaseVersion(requested) ?? requested.trim());
  }
  if (options.json) return printJson(ctx, release);
  printSection(ctx, `Release v${String(release.version)}`, formatReleaseInfo(release));
}

export function formatReleaseInfo(release: ReleaseResource, now: Date = new Date()): string[] {
  const slug = release.slug ? `${release.slug.id}${release.slug.commit ? ` (commit ${release.slug.commit})` : ''}` : 'none';
  return formatKeyValues([
    ['By', release.actor],
    ['Change', release.description],
    ['Current', release.current ? 'yes' : 'no'],
    ['Slug', slug],
    ['Status', release.status_reason ? `${release.status}: ${release.status_reason}` : release.status],
    ['When', formatTimeWithAge(release.created_at, now)],
  ]);
}
