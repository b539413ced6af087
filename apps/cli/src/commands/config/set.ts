import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { parseConfigAssignments } from '../../config-assignment.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printLines, runAction } from '../../output.js';
import { formatKeyValues } from '../../table.js';
import { describeConfigOutcome } from '../../config-outcome.js';

export function registerConfigSet(program: Command, ctx: CliContext): void {
  const command = program
    .command('config:set')
    .description('set config vars and restart the app (makes a new release)')
    .argument('<KEY=VALUE...>', 'config vars to set; the value may hold = and spaces (quote it)');
  withAppOptions(command);
  withExamples(command, [
    'paas config:set RAILS_ENV=production -a demo',
    "paas config:set 'GREETING=hello world' DATABASE_URL=postgres://db/x?a=b",
    'paas config:set "TLS_CERT=$(cat cert.pem)"',
  ]);
  command.action((pairs: string[], options: AppOptions) => setConfigVars(ctx, pairs, options));
}

async function setConfigVars(ctx: CliContext, pairs: string[], options: AppOptions): Promise<void> {
  const vars = parseConfigAssignments(pairs);
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const keys = Object.keys(vars);
  const update = await runAction(
    ctx,
    `Setting ${keys.join(', ')} and restarting ${app}`,
    () => client.updateConfigVars(app, vars),
    describeConfigOutcome,
  );
  printLines(ctx, formatKeyValues(keys.map((key) => [key, update.vars[key] ?? ''])));
}
