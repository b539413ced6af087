import type { Command } from 'commander';

import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import type { CliContext } from '../../context.js';
import { switchMaintenance } from './index.js';

export function registerMaintenanceOff(program: Command, ctx: CliContext): void {
  const command = program.command('maintenance:off').description('take an app out of maintenance mode: its processes serve requests again');
  withAppOptions(command);
  withExamples(command, ['paas maintenance:off -a demo']);
  command.action((options: AppOptions) => switchMaintenance(ctx, options, false));
}
