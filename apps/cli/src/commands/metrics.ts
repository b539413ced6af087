import type { Command } from 'commander';

import { resolveApp } from '../app-target.js';
import type { AppOptions } from '../app-target.js';
import { CliError } from '../cli-error.js';
import { withAppOptions, withExamples, withJsonOption } from '../command-options.js';
import type { JsonOption } from '../command-options.js';
import { connect } from '../connection.js';
import type { CliContext } from '../context.js';
import { formatMetricsSummary } from '../metrics-summary.js';
import { printJson, printSection } from '../output.js';

const WINDOWS: Readonly<Record<string, string>> = { '1h': '1m', '6h': '5m', '24h': '15m' };

export function registerMetrics(program: Command, ctx: CliContext): void {
  const command = program
    .command('metrics')
    .description('show requests, response times, memory and CPU of an app')
    .option('--since <window>', 'how far back: 1h, 6h or 24h', '1h');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas metrics -a demo', 'paas metrics --since 24h --json']);
  command.action((options: AppOptions & JsonOption & { since: string }) => showMetrics(ctx, options));
}

async function showMetrics(ctx: CliContext, options: AppOptions & JsonOption & { since: string }): Promise<void> {
  const step = WINDOWS[options.since];
  if (step === undefined) throw new CliError(`--since is one of ${Object.keys(WINDOWS).join(', ')}.`);
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const series = await client.getMetrics(app, { since: options.since, step });
  if (options.json) return printJson(ctx, series);
  // The window as one step: percentiles of the whole window (they cannot be combined from steps).
  // Steps start at the whole minute before `since`, so one a minute longer than the window spans it all.
  const whole = await client.getMetrics(app, { since: options.since, step: `${String(Number.parseInt(options.since, 10) * 60 + 1)}m` });
  printSection(ctx, `${app} metrics, last ${options.since}`, formatMetricsSummary(whole.points[0], series));
}
