import type { AcmResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatTable } from '../../table.js';

export function registerCerts(program: Command, ctx: CliContext): void {
  const command = program
    .command('certs')
    .description("list an app's custom domains with the certificate serving each: issuer, expiry, status and the last error");
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas certs -a demo', 'paas certs --json']);
  command.action((options: AppOptions & JsonOption) => listCerts(ctx, options));
}

async function listCerts(ctx: CliContext, options: AppOptions & JsonOption): Promise<void> {
  const name = await resolveApp(ctx, options);
  const client = await connect(ctx);
  if (options.json) return printJson(ctx, await client.listCertificates(name));
  printLines(ctx, formatCertificates(name, await client.getAcm(name)));
}

/** One row per custom domain: what serves it over HTTPS, and what went wrong last. */
export function formatCertificates(app: string, acm: AcmResource): string[] {
  if (acm.domains.length === 0) return [`${app} has no custom domains: <app> on the platform domain is served with the platform certificate.`];
  return formatTable(acm.domains, [
    { header: 'Hostname', get: (domain) => domain.hostname },
    { header: 'Source', get: (domain) => domain.certificate?.source ?? '' },
    { header: 'Issuer', get: (domain) => domain.certificate?.issuer ?? '' },
    { header: 'Expires', get: (domain) => domain.certificate?.expires_at ?? '' },
    { header: 'Status', get: (domain) => domain.status },
    { header: 'Last error', get: (domain) => domain.status_reason ?? '' },
  ]);
}
