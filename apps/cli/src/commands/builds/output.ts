import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { resolveBuildId } from '../../build-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';

export function registerBuildsOutput(program: Command, ctx: CliContext): void {
  const command = program
    .command('builds:output')
    .description('print the whole output of a build, as it was shown when it ran')
    .argument('[id]', 'the build id, or its start as paas builds shows it (default: the newest build)');
  withAppOptions(command);
  withExamples(command, ['paas builds:output -a demo', 'paas builds:output 3f2a1b4c > build.log']);
  command.action((id: string | undefined, options: AppOptions) => printBuildOutput(ctx, id, options));
}

async function printBuildOutput(ctx: CliContext, given: string | undefined, options: AppOptions): Promise<void> {
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  // raw, byte for byte what the build printed: no header, no added newline
  ctx.stdout.write(await client.getBuildOutput(app, await resolveBuildId(client, app, given)));
}
