import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { CliError } from '../../cli-error.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export function registerCertsRemove(program: Command, ctx: CliContext): void {
  const command = program
    .command('certs:remove')
    .description('remove an uploaded certificate, named by its id (paas certs --json) or a domain it serves')
    .argument('<CERT>', 'the certificate id, or a custom domain it serves');
  withAppOptions(command);
  withExamples(command, ['paas certs:remove www.example.com -a demo', 'paas certs:remove 0b3c…-a demo']);
  command.action((which: string, options: AppOptions) => removeCert(ctx, which, options));
}

async function removeCert(ctx: CliContext, which: string, options: AppOptions): Promise<void> {
  const name = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const certs = await client.listCertificates(name);
  const byId = certs.find((cert) => cert.id === which);
  const serving = certs.filter((cert) => cert.source === 'uploaded' && cert.domains.includes(which.toLowerCase()));
  const target = byId ?? (serving.length === 1 ? serving[0] : undefined);
  if (target === undefined) {
    throw new CliError(
      serving.length > 1
        ? `${String(serving.length)} uploaded certificates serve ${which}: name one by its id (${serving.map((cert) => cert.id).join(', ')}).`
        : `${name} has no uploaded certificate ${which}: see paas certs -a ${name}.`,
    );
  }
  await runAction(ctx, `Removing the certificate for ${target.ssl_cert.cert_domains.join(', ')} from ${name}`, () => client.removeCertificate(name, target.id));
}
