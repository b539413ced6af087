import type { Command } from 'commander';

import type { AppOptions } from '../../../app-target.js';
import { withAppOptions, withExamples } from '../../../command-options.js';
import type { CliContext } from '../../../context.js';
import { changeAcm } from './index.js';

export function registerCertsAutoDisable(program: Command, ctx: CliContext): void {
  const command = program
    .command('certs:auto:disable')
    .description('stop automatic certificates; the certificates they issued are removed (uploaded ones stay)');
  withAppOptions(command);
  withExamples(command, ['paas certs:auto:disable -a demo']);
  command.action((options: AppOptions) => changeAcm(ctx, options, (app) => `Disabling Automatic Certificate Management for ${app}`, (client, app) => client.disableAcm(app)));
}
