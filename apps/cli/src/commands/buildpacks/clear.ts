import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';
import { printChangedBuildpacks } from './index.js';

export function registerBuildpacksClear(program: Command, ctx: CliContext): void {
  const command = program
    .command('buildpacks:clear')
    .description("remove all of an app's buildpacks, so that each deploy detects them again");
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas buildpacks:clear -a demo']);
  command.action((options: AppOptions & JsonOption) => clearBuildpacks(ctx, options));
}

async function clearBuildpacks(ctx: CliContext, options: AppOptions & JsonOption): Promise<void> {
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const installations = await runAction(ctx, `Clearing the buildpacks of ${app}`, () => client.updateBuildpackInstallations(app, []));
  printChangedBuildpacks(ctx, app, installations, options);
}
