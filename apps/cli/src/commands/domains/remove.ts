import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export function registerDomainsRemove(program: Command, ctx: CliContext): void {
  const command = program
    .command('domains:remove')
    .description('remove a custom domain from an app: requests for it no longer reach the app')
    .argument('<HOSTNAME>', 'the domain, as paas domains lists it');
  withAppOptions(command);
  withExamples(command, ['paas domains:remove www.example.com -a demo']);
  command.action((hostname: string, options: AppOptions) => removeDomain(ctx, hostname, options));
}

async function removeDomain(ctx: CliContext, hostname: string, options: AppOptions): Promise<void> {
  const name = await resolveApp(ctx, options);
  const client = await connect(ctx);
  await runAction(ctx, `Removing ${hostname} from ${name}`, () => client.removeDomain(name, hostname));
}
