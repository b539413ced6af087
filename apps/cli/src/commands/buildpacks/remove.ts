import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { buildpackUrls, parseBuildpackIndex, planRemoveBuildpack, removeTargetOf } from '../../buildpack-list.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';
import { printChangedBuildpacks } from './index.js';

interface RemoveOptions extends AppOptions, JsonOption {
  readonly index?: number;
}

export function registerBuildpacksRemove(program: Command, ctx: CliContext): void {
  const command = program
    .command('buildpacks:remove')
    .description("remove a buildpack from an app's list, named or by its position")
    .argument('[buildpack]', 'the buildpack as paas buildpacks lists it')
    .option('-i, --index <n>', 'remove the buildpack at this position instead (1 is the first)', parseBuildpackIndex);
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas buildpacks:remove nodejs -a demo', 'paas buildpacks:remove -i 2']);
  command.action((buildpack: string | undefined, options: RemoveOptions) => removeBuildpack(ctx, buildpack, options));
}

async function removeBuildpack(ctx: CliContext, buildpack: string | undefined, options: RemoveOptions): Promise<void> {
  const target = removeTargetOf(buildpack, options.index);
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const plan = planRemoveBuildpack(buildpackUrls(await client.listBuildpackInstallations(app)), target);
  const installations = await runAction(ctx, `Removing ${plan.removed} from the buildpacks of ${app}`, () =>
    client.updateBuildpackInstallations(app, plan.buildpacks),
  );
  printChangedBuildpacks(ctx, app, installations, options);
}
