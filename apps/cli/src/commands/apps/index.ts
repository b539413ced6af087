import type { AppResource } from '@paas/core';
import type { Command } from 'commander';

import { withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines, printSection } from '../../output.js';
import { formatRelativeTime } from '../../relative-time.js';
import { formatTable } from '../../table.js';

export function registerApps(program: Command, ctx: CliContext): void {
  const command = program.command('apps').description('list your apps');
  withJsonOption(command);
  withExamples(command, ['paas apps', 'paas apps --json']);
  command.action((options: JsonOption) => listApps(ctx, options));
}

async function listApps(ctx: CliContext, options: JsonOption): Promise<void> {
  const apps = await (await connect(ctx)).listApps();
  if (options.json) return printJson(ctx, apps);
  if (apps.length === 0) return printLines(ctx, ['You have no apps yet: create one with paas apps:create NAME.']);
  printSection(ctx, 'Apps', formatAppsTable(apps));
}

export function formatAppsTable(apps: readonly AppResource[], now: Date = new Date()): string[] {
  return formatTable(apps, [
    { header: 'Name', get: (app) => app.name },
    { header: 'Release', get: (app) => (app.current_release ? `v${String(app.current_release.version)}` : '-') },
    { header: 'Released', get: (app) => (app.released_at ? formatRelativeTime(app.released_at, now) : 'never') },
    { header: 'Web URL', get: (app) => app.web_url },
  ]);
}
