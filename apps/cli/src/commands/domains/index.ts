import type { AppResource, DomainResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { dnsRecordType, platformHostname } from '../../dns-target.js';
import { printJson, printLines } from '../../output.js';
import { formatRelativeTime } from '../../relative-time.js';
import { formatHeader, formatTable } from '../../table.js';

export function registerDomains(program: Command, ctx: CliContext): void {
  const command = program.command('domains').description("list an app's domains: its own, and the custom ones added to it");
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas domains -a demo', 'paas domains --json']);
  command.action((options: AppOptions & JsonOption) => listDomains(ctx, options));
}

async function listDomains(ctx: CliContext, options: AppOptions & JsonOption): Promise<void> {
  const name = await resolveApp(ctx, options);
  const client = await connect(ctx);
  if (options.json) return printJson(ctx, await client.listDomains(name));
  const [app, domains] = await Promise.all([client.getApp(name), client.listDomains(name)]);
  printLines(ctx, formatDomains(app, domains));
}

/** heroku domains: the app's own host name, then a table of custom domains with the DNS record each needs. */
export function formatDomains(app: AppResource, domains: readonly DomainResource[], now: Date = new Date()): string[] {
  const target = platformHostname(app.web_url);
  const own = [formatHeader(`${app.name} Platform Domain`), target, ''];
  if (domains.length === 0) {
    return [...own, `${app.name} has no custom domains: add one with paas domains:add www.example.com -a ${app.name}.`];
  }
  return [
    ...own,
    formatHeader(`${app.name} Custom Domains`),
    ...formatTable(domains, [
      { header: 'Domain Name', get: (domain) => domain.hostname },
      { header: 'DNS Record Type', get: (domain) => dnsRecordType(domain.hostname) },
      { header: 'DNS Target', get: () => target },
      { header: 'Added', get: (domain) => formatRelativeTime(domain.created_at, now) },
    ]),
  ];
}
