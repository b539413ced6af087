import type { AcmResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../../app-target.js';
import type { AppOptions } from '../../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../../command-options.js';
import type { JsonOption } from '../../../command-options.js';
import { connect } from '../../../connection.js';
import type { CliContext } from '../../../context.js';
import { printJson, printLines, runAction } from '../../../output.js';
import { formatTable } from '../../../table.js';

export function registerCertsAuto(program: Command, ctx: CliContext): void {
  const command = program.command('certs:auto').description('show whether automatic certificates are on, and where each custom domain stands');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas certs:auto -a demo']);
  command.action(async (options: AppOptions & JsonOption) => {
    const name = await resolveApp(ctx, options);
    const acm = await (await connect(ctx)).getAcm(name);
    if (options.json) return printJson(ctx, acm);
    printLines(ctx, formatAcm(name, acm));
  });
}

export function formatAcm(app: string, acm: AcmResource): string[] {
  const head = `Automated Certificate Management is ${acm.acm ? 'enabled' : 'disabled'} for ${app}; HTTP is ${acm.redirect_https ? '' : 'not '}redirected to HTTPS.`;
  if (!acm.acm || acm.domains.length === 0) return [head];
  return [
    head,
    '',
    ...formatTable(acm.domains, [
      { header: 'Domain', get: (domain) => domain.hostname },
      { header: 'Status', get: (domain) => domain.status },
      { header: 'Expires', get: (domain) => domain.certificate?.expires_at ?? '' },
      { header: 'Next attempt', get: (domain) => domain.next_attempt_at ?? '' },
      { header: 'Last error', get: (domain) => domain.status_reason ?? '' },
    ]),
  ];
}

/** certs:auto:enable, :disable and :refresh: one request, one action line, then the new state. */
export async function changeAcm(ctx: CliContext, options: AppOptions, label: (app: string) => string, change: (client: Awaited<ReturnType<typeof connect>>, app: string) => Promise<AcmResource>): Promise<void> {
  const name = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const acm = await runAction(ctx, label(name), () => change(client, name));
  printLines(ctx, formatAcm(name, acm));
}
