import type { BuildpackInstallationResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { formatBuildpackLines } from '../../buildpack-list.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines, printSection } from '../../output.js';

export function registerBuildpacks(program: Command, ctx: CliContext): void {
  const command = program.command('buildpacks').description("list an app's buildpacks, in the order they run");
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas buildpacks -a demo', 'paas buildpacks --json']);
  command.action((options: AppOptions & JsonOption) => listBuildpacks(ctx, options));
}

async function listBuildpacks(ctx: CliContext, options: AppOptions & JsonOption): Promise<void> {
  const app = await resolveApp(ctx, options);
  const installations = await (await connect(ctx)).listBuildpackInstallations(app);
  if (options.json) return printJson(ctx, installations);
  printBuildpacks(ctx, app, installations);
}

export function printBuildpacks(ctx: CliContext, app: string, installations: readonly BuildpackInstallationResource[]): void {
  if (installations.length === 0) {
    return printLines(ctx, [
      `${app} has no buildpacks set: paas detects which to use on each deploy. Set one with paas buildpacks:set BUILDPACK.`,
    ]);
  }
  printSection(ctx, `${app} Buildpack URLs`, formatBuildpackLines(installations));
}

/** After a change: the new list (or its JSON), and when it applies, on stderr. */
export function printChangedBuildpacks(
  ctx: CliContext,
  app: string,
  installations: readonly BuildpackInstallationResource[],
  options: JsonOption,
): void {
  if (options.json) printJson(ctx, installations);
  else printBuildpacks(ctx, app, installations);
  ctx.stderr.write(`The change takes effect on the next deploy of ${app} (git push or paas deploy).\n`);
}
