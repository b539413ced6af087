import type { ReleaseResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { countParser, withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines, printSection } from '../../output.js';
import { formatRelativeTime } from '../../relative-time.js';
import { formatTable } from '../../table.js';

export const DEFAULT_RELEASE_COUNT = 15;
const MAX_RELEASE_COUNT = 1000;

interface ReleasesOptions extends AppOptions, JsonOption {
  readonly num: number;
}

export function registerReleases(program: Command, ctx: CliContext): void {
  const command = program
    .command('releases')
    .description("list an app's releases, newest first")
    .option('-n, --num <count>', 'how many releases to show', countParser(MAX_RELEASE_COUNT), DEFAULT_RELEASE_COUNT);
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas releases -a demo', 'paas releases -n 50', 'paas releases --json']);
  command.action((options: ReleasesOptions) => listReleases(ctx, options));
}

async function listReleases(ctx: CliContext, options: ReleasesOptions): Promise<void> {
  const app = await resolveApp(ctx, options);
  const { releases } = await (await connect(ctx)).listReleases(app, { max: options.num });
  if (options.json) return printJson(ctx, releases);
  if (releases.length === 0) return printLines(ctx, [`${app} has no releases.`]);
  const current = releases.find((release) => release.current);
  const title = current ? `${app} Releases - Current: v${String(current.version)}` : `${app} Releases`;
  printSection(ctx, title, formatReleasesTable(releases));
}

export function formatReleasesTable(releases: readonly ReleaseResource[], now: Date = new Date()): string[] {
  return formatTable(
    releases,
    [
      { header: 'Version', get: (release) => `v${String(release.version)}` },
      { header: 'Change', get: describeRelease },
      { header: 'By', get: (release) => release.actor },
      { header: 'When', get: (release) => formatRelativeTime(release.created_at, now) },
    ],
    { headers: false },
  );
}

/** The description, with the status when the release did not (yet) succeed. */
export function describeRelease(release: ReleaseResource): string {
  return release.status === 'succeeded' ? release.description : `${release.description} (${release.status})`;
}
