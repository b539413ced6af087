import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, runAction } from '../../output.js';

export function registerDrainsAdd(program: Command, ctx: CliContext): void {
  const command = program
    .command('drains:add')
    .description("copy an app's log stream to a syslog server (RFC 5424 over TCP or TLS) or an HTTPS endpoint")
    .argument('<URL>', 'syslog://host:port, syslog+tls://host:port, or https://host/path');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas drains:add syslog+tls://logs.example.com:6514 -a demo', 'paas drains:add https://user:pass@logs.example.com/ingest']);
  command.action(async (url: string, options: AppOptions & JsonOption) => {
    const name = await resolveApp(ctx, options);
    const client = await connect(ctx);
    const drain = await runAction(ctx, `Adding a log drain to ${name}`, () => client.addLogDrain(name, url));
    if (options.json) return printJson(ctx, drain);
    ctx.stdout.write(`Successfully added drain ${drain.url}; its frames carry the token ${drain.token}.\n`);
  });
}
