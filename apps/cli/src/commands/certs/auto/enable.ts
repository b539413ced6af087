import type { Command } from 'commander';

import type { AppOptions } from '../../../app-target.js';
import { withAppOptions, withExamples } from '../../../command-options.js';
import type { CliContext } from '../../../context.js';
import { changeAcm } from './index.js';

export function registerCertsAutoEnable(program: Command, ctx: CliContext): void {
  const command = program
    .command('certs:auto:enable')
    .description("order certificates for the app's custom domains automatically (ACME, HTTP-01), and renew them before they expire");
  withAppOptions(command);
  withExamples(command, ['paas certs:auto:enable -a demo']);
  command.action((options: AppOptions) => changeAcm(ctx, options, (app) => `Enabling Automatic Certificate Management for ${app}`, (client, app) => client.enableAcm(app)));
}
