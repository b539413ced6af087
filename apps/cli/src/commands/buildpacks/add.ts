import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { buildpackUrls, checkBuildpackArgument, parseBuildpackIndex, planAddBuildpack } from '../../buildpack-list.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';
import { printChangedBuildpacks } from './index.js';

interface AddOptions extends AppOptions, JsonOption {
  readonly index?: number;
}

export function registerBuildpacksAdd(program: Command, ctx: CliContext): void {
  const command = program
    .command('buildpacks:add')
    .description("add a buildpack to an app's list: last, or at the position -i gives")
    .argument('<buildpack>', 'a built-in name (nodejs), an absolute path on the paas host, or a git URL (…#branch)')
    .option('-i, --index <n>', 'insert at this position (1 runs first); the ones from there move down', parseBuildpackIndex);
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, [
    'paas buildpacks:add nodejs -a demo',
    'paas buildpacks:add https://github.com/heroku/heroku-buildpack-apt.git -i 1',
  ]);
  command.action((buildpack: string, options: AddOptions) => addBuildpack(ctx, buildpack, options));
}

async function addBuildpack(ctx: CliContext, argument: string, options: AddOptions): Promise<void> {
  const buildpack = checkBuildpackArgument(argument);
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const next = planAddBuildpack(buildpackUrls(await client.listBuildpackInstallations(app)), buildpack, options.index);
  const where = options.index === undefined ? `to the buildpacks of ${app}` : `as buildpack ${String(options.index)} of ${app}`;
  const installations = await runAction(ctx, `Adding ${buildpack} ${where}`, () => client.updateBuildpackInstallations(app, next));
  printChangedBuildpacks(ctx, app, installations, options);
}
