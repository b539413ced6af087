import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines, printSection } from '../../output.js';
import { formatKeyValues } from '../../table.js';

interface ConfigOptions extends AppOptions, JsonOption {
  readonly shell?: boolean;
}

export function registerConfig(program: Command, ctx: CliContext): void {
  const command = program
    .command('config')
    .description("show an app's config vars")
    .option('-s, --shell', 'print KEY=value lines, as an .env file holds them');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas config -a demo', 'paas config --json', 'paas config --shell > .env']);
  command.action((options: ConfigOptions) => showConfig(ctx, options));
}

async function showConfig(ctx: CliContext, options: ConfigOptions): Promise<void> {
  const app = await resolveApp(ctx, options);
  const vars = await (await connect(ctx)).getConfigVars(app);
  if (options.json) return printJson(ctx, vars);
  const entries = Object.entries(vars);
  if (options.shell) return printLines(ctx, entries.map(([key, value]) => `${key}=${shellQuote(value)}`));
  if (entries.length === 0) return printLines(ctx, [`${app} has no config vars: set some with paas config:set KEY=VALUE.`]);
  printSection(ctx, `${app} Config Vars`, formatKeyValues(entries));
}

/** Single-quotes values that a shell or dotenv reader would otherwise split or expand. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
