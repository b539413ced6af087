import type { Command } from 'commander';

import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import type { CliContext } from '../../context.js';
import { switchMaintenance } from './index.js';

export function registerMaintenanceOn(program: Command, ctx: CliContext): void {
  const command = program
    .command('maintenance:on')
    .description('put an app in maintenance mode: every web request gets a 503 maintenance page until it is turned off');
  withAppOptions(command);
  withExamples(command, ['paas maintenance:on -a demo']);
  command.action((options: AppOptions) => switchMaintenance(ctx, options, true));
}
