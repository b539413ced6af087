import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { usageError } from '../../cli-error.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines, runAction } from '../../output.js';

export function registerCertsAdd(program: Command, ctx: CliContext): void {
  const command = program
    .command('certs:add')
    .description("add a certificate for an app's custom domains; it serves them from the next HTTPS connection")
    .argument('<CRT>', 'the certificate chain (PEM): the server certificate first, then the intermediates')
    .argument('<KEY>', 'its private key (PEM, unencrypted)');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas certs:add server.crt server.key -a demo']);
  command.action((crt: string, key: string, options: AppOptions & JsonOption) => addCert(ctx, crt, key, options));
}

async function readPem(ctx: CliContext, path: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(ctx.cwd, path), 'utf8');
  } catch (error) {
    throw usageError(`Cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
}

async function addCert(ctx: CliContext, crt: string, key: string, options: AppOptions & JsonOption): Promise<void> {
  const name = await resolveApp(ctx, options);
  const [chain, privateKey] = [await readPem(ctx, crt, 'certificate'), await readPem(ctx, key, 'private key')];
  const client = await connect(ctx);
  const cert = await runAction(ctx, `Adding SSL certificate to ${name}`, () => client.addCertificate(name, chain, privateKey));
  if (options.json) return printJson(ctx, cert);
  printLines(ctx, [
    `Certificate for ${cert.ssl_cert.cert_domains.join(', ')}, issued by ${cert.ssl_cert.issuer}, expires ${cert.ssl_cert.expires_at}.`,
    `Serves: ${cert.domains.join(', ')}`,
  ]);
}
