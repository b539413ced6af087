import type { Command } from 'commander';

import type { AppOptions } from '../../../app-target.js';
import { withAppOptions, withExamples } from '../../../command-options.js';
import type { CliContext } from '../../../context.js';
import { changeAcm } from './index.js';

export function registerCertsAutoRefresh(program: Command, ctx: CliContext): void {
  const command = program
    .command('certs:auto:refresh')
    .description('order new certificates for every custom domain now, without waiting for renewal or a retry');
  withAppOptions(command);
  withExamples(command, ['paas certs:auto:refresh -a demo']);
  command.action((options: AppOptions) => changeAcm(ctx, options, (app) => `Refreshing certificates for ${app}`, (client, app) => client.refreshAcm(app)));
}
