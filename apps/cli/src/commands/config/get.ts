import { CONFIG_KEY_RULE, isConfigKey } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { CliError, usageError } from '../../cli-error.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson } from '../../output.js';

export function registerConfigGet(program: Command, ctx: CliContext): void {
  const command = program
    .command('config:get')
    .description('print the value of one config var, exactly as stored')
    .argument('<key>', 'the config var to print');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas config:get DATABASE_URL -a demo', 'export TOKEN="$(paas config:get TOKEN)"']);
  command.action((key: string, options: AppOptions & JsonOption) => getConfigVar(ctx, key, options));
}

async function getConfigVar(ctx: CliContext, key: string, options: AppOptions & JsonOption): Promise<void> {
  if (!isConfigKey(key)) throw usageError(`Invalid config var key ${JSON.stringify(key)}: ${CONFIG_KEY_RULE}.`);
  const app = await resolveApp(ctx, options);
  const vars = await (await connect(ctx)).getConfigVars(app);
  const value = Object.hasOwn(vars, key) ? vars[key] : undefined;
  if (value === undefined) throw new CliError(`${app} has no config var ${key}: see paas config -a ${app} for the keys it has.`);
  // the value and one newline, nothing else: $(paas config:get KEY) gives back the value exactly
  if (options.json) printJson(ctx, value);
  else ctx.stdout.write(`${value}\n`);
}
