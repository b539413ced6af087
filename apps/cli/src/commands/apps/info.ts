import type { AppResource, FormationResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printSection } from '../../output.js';
import { formatTimeWithAge } from '../../relative-time.js';
import { formatKeyValues } from '../../table.js';

export function registerAppsInfo(program: Command, ctx: CliContext): void {
  const command = program.command('apps:info').description("show an app's URLs, release and processes");
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas apps:info -a demo', 'paas apps:info --json']);
  command.action((options: AppOptions & JsonOption) => showApp(ctx, options));
}

async function showApp(ctx: CliContext, options: AppOptions & JsonOption): Promise<void> {
  const name = await resolveApp(ctx, options);
  const client = await connect(ctx);
  if (options.json) return printJson(ctx, await client.getApp(name));
  const [app, formation] = await Promise.all([client.getApp(name), client.listFormation(name)]);
  printSection(ctx, app.name, formatAppInfo(app, formation));
}

export function formatAppInfo(app: AppResource, formation: readonly FormationResource[], now: Date = new Date()): string[] {
  const release = app.current_release ? `v${String(app.current_release.version)}` : 'none';
  const processes = formation.map((entry) => `${entry.type}: ${String(entry.quantity)} (${entry.size})`).join(', ');
  return formatKeyValues([
    ['Created', formatTimeWithAge(app.created_at, now)],
    ['Current release', app.released_at ? `${release}, ${formatTimeWithAge(app.released_at, now)}` : release],
    ['Git URL', app.git_url],
    ['Maintenance', app.maintenance ? 'on' : 'off'],
    ['Processes', processes || 'none (no code deployed yet)'],
    ['Web URL', app.web_url],
  ]);
}
