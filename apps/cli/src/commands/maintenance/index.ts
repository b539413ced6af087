import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export function registerMaintenance(program: Command, ctx: CliContext): void {
  const command = program.command('maintenance').description("print whether an app's maintenance mode is on or off");
  withAppOptions(command);
  withExamples(command, ['paas maintenance -a demo']);
  command.action((options: AppOptions) => showMaintenance(ctx, options));
}

async function showMaintenance(ctx: CliContext, options: AppOptions): Promise<void> {
  const name = await resolveApp(ctx, options);
  const app = await (await connect(ctx)).getApp(name);
  ctx.stdout.write(app.maintenance ? 'on\n' : 'off\n');
}

/** maintenance:on and maintenance:off: one PATCH, one action line. */
export async function switchMaintenance(ctx: CliContext, options: AppOptions, on: boolean): Promise<void> {
  const name = await resolveApp(ctx, options);
  const client = await connect(ctx);
  await runAction(ctx, `${on ? 'Enabling' : 'Disabling'} maintenance mode for ${name}`, () =>
    client.updateApp(name, { maintenance: on }),
  );
}
