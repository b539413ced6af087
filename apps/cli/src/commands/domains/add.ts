import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { dnsRecordType, platformHostname } from '../../dns-target.js';
import { printJson, runAction } from '../../output.js';

export function registerDomainsAdd(program: Command, ctx: CliContext): void {
  const command = program
    .command('domains:add')
    .description('add a custom domain to an app; then point its DNS at the app')
    .argument('<HOSTNAME>', 'the domain, e.g. www.example.com');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas domains:add www.example.com -a demo', 'paas domains:add api.example.com --json']);
  command.action((hostname: string, options: AppOptions & JsonOption) => addDomain(ctx, hostname, options));
}

async function addDomain(ctx: CliContext, hostname: string, options: AppOptions & JsonOption): Promise<void> {
  const name = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const domain = await runAction(ctx, `Adding ${hostname} to ${name}`, () => client.addDomain(name, hostname));
  if (options.json) return printJson(ctx, domain);
  const target = platformHostname((await client.getApp(name)).web_url);
  ctx.stdout.write(
    `Configure your DNS provider to point ${domain.hostname} at ${target} (record type: ${dnsRecordType(domain.hostname)}).\n`,
  );
}
