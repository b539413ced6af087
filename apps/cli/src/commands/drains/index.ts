import type { LogDrainResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatHeader } from '../../table.js';

export function registerDrains(program: Command, ctx: CliContext): void {
  const command = program.command('drains').description("list an app's log drains: where its log stream is copied to");
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas drains -a demo', 'paas drains --json']);
  command.action(async (options: AppOptions & JsonOption) => {
    const name = await resolveApp(ctx, options);
    const drains = await (await connect(ctx)).listLogDrains(name);
    if (options.json) return printJson(ctx, drains);
    printLines(ctx, formatDrains(name, drains));
  });
}

/** heroku drains: a header, then each URL with the token its receiver sees. */
export function formatDrains(app: string, drains: readonly LogDrainResource[]): string[] {
  if (drains.length === 0) return [`${app} has no log drains: add one with paas drains:add syslog+tls://logs.example.com:6514 -a ${app}.`];
  return [formatHeader(`${app} Drains`), ...drains.map((drain) => `${drain.url} (${drain.token})`)];
}
