import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { usageError } from '../../cli-error.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export function registerDomainsRedirectHttps(program: Command, ctx: CliContext): void {
  const command = program
    .command('domains:redirect-https')
    .description("answer the app's plain HTTP requests with a permanent redirect (308) to HTTPS, or stop; ACME challenges still pass")
    .argument('<on|off>', 'on to redirect, off to serve HTTP as before');
  withAppOptions(command);
  withExamples(command, ['paas domains:redirect-https on -a demo', 'paas domains:redirect-https off -a demo']);
  command.action((state: string, options: AppOptions) => switchRedirect(ctx, state, options));
}

async function switchRedirect(ctx: CliContext, state: string, options: AppOptions): Promise<void> {
  if (state !== 'on' && state !== 'off') throw usageError(`Say on or off, not ${JSON.stringify(state)}.`);
  const name = await resolveApp(ctx, options);
  const client = await connect(ctx);
  await runAction(ctx, `${state === 'on' ? 'Redirecting' : 'No longer redirecting'} HTTP to HTTPS for ${name}`, () => client.updateApp(name, { redirect_https: state === 'on' }));
}
