import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export function registerDrainsRemove(program: Command, ctx: CliContext): void {
  const command = program
    .command('drains:remove')
    .description('stop copying an app\'s log stream to a drain')
    .argument('<URL|TOKEN|ID>', 'the drain, as paas drains shows it: its URL as it was added, its token or its id');
  withAppOptions(command);
  withExamples(command, ['paas drains:remove syslog+tls://logs.example.com:6514 -a demo', 'paas drains:remove d.0b7b3a1e-…']);
  command.action(async (drain: string, options: AppOptions) => {
    const name = await resolveApp(ctx, options);
    const client = await connect(ctx);
    await runAction(ctx, `Removing the log drain from ${name}`, () => client.removeLogDrain(name, drain));
  });
}
