import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { buildpackUrls, checkBuildpackArgument, parseBuildpackIndex, planSetBuildpack } from '../../buildpack-list.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';
import { printChangedBuildpacks } from './index.js';

interface SetOptions extends AppOptions, JsonOption {
  readonly index?: number;
}

export function registerBuildpacksSet(program: Command, ctx: CliContext): void {
  const command = program
    .command('buildpacks:set')
    .description("set an app's buildpack, replacing all of them (or, with -i, the one at that position)")
    .argument('<buildpack>', 'a built-in name (nodejs), an absolute path on the paas host, or a git URL (…#branch)')
    .option('-i, --index <n>', 'replace only the buildpack at this position (1 is the first)', parseBuildpackIndex);
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, [
    'paas buildpacks:set nodejs -a demo',
    'paas buildpacks:set https://github.com/heroku/heroku-buildpack-nodejs.git',
    'paas buildpacks:set /opt/buildpacks/static -i 2',
  ]);
  command.action((buildpack: string, options: SetOptions) => setBuildpack(ctx, buildpack, options));
}

async function setBuildpack(ctx: CliContext, argument: string, options: SetOptions): Promise<void> {
  const buildpack = checkBuildpackArgument(argument);
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const { index } = options;
  // without -i the list is replaced whole, so what it held does not matter
  const next =
    index === undefined ? [buildpack] : planSetBuildpack(buildpackUrls(await client.listBuildpackInstallations(app)), buildpack, index);
  const label = index === undefined ? `Setting the buildpack of ${app} to ${buildpack}` : `Setting buildpack ${String(index)} of ${app} to ${buildpack}`;
  const installations = await runAction(ctx, label, () => client.updateBuildpackInstallations(app, next));
  printChangedBuildpacks(ctx, app, installations, options);
}
