import { setTimeout as sleep } from 'node:timers/promises';

import type { PipelinePromotionTargetResource } from '@paas/core';
import type { PaasClient } from '@paas/client';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { CliError } from '../../cli-error.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines, runAction } from '../../output.js';
import { formatPipelineDiff, parseTargets } from '../../pipeline-diff.js';
import { formatTable } from '../../table.js';
import type { ToOption } from './diff.js';

export function registerPipelinesPromote(program: Command, ctx: CliContext): void {
  const command = program
    .command('pipelines:promote')
    .description("release the app's current slug in the next stage's apps (no build; each keeps its own config)")
    .option('-t, --to <apps>', 'promote to these apps (comma-separated; default: the next stage\'s)');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas pipelines:promote -a shop-staging', 'paas pipelines:promote -a shop-staging --to shop-prod,shop-eu']);
  command.action((options: AppOptions & JsonOption & ToOption) => promote(ctx, options));
}

async function promote(ctx: CliContext, options: AppOptions & JsonOption & ToOption): Promise<void> {
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  const targets = parseTargets(options.to);
  const diff = await client.getPipelineDiff(app, targets);
  // What differs goes to stderr, so --json keeps stdout for the result.
  ctx.stderr.write(`${formatPipelineDiff(diff).join('\n')}\n`);
  const refused = diff.targets.filter((target) => target.refused !== null);
  if (refused.length > 0) throw new CliError(refused.map((target) => target.refused ?? '').join('\n'));
  const names = diff.targets.map((target) => target.app.name);
  if (names.length === 0) throw new CliError(`${app} has no downstream app to promote to: add one with paas pipelines:add PIPELINE -a APP --stage production.`);
  const promotion = await runAction(ctx, `Promoting ${app} v${String(diff.app.release)} to ${names.join(', ')}`, () => client.createPipelinePromotion(app, targets));
  const finished = await runAction(ctx, 'Waiting for the releases to go live', () => waitForTargets(client, promotion.id), (done) =>
    done.every((target) => target.status === 'succeeded') ? 'done' : 'failed',
  );
  if (options.json) printJson(ctx, finished);
  else {
    printLines(ctx, formatTable(finished, [
      { header: 'App', get: (target) => target.app.name },
      { header: 'Release', get: (target) => (target.release ? `v${String(target.release.version)}` : '') },
      { header: 'Status', get: (target) => target.status },
      { header: 'Error', get: (target) => target.error_message ?? '' },
    ]));
  }
  const failed = finished.filter((target) => target.status === 'failed');
  if (failed.length > 0) throw new CliError(failed.map((target) => `${target.app.name}: ${target.error_message ?? 'the release did not go live'}`).join('\n'));
}

async function waitForTargets(client: PaasClient, id: string, timeoutMs = 300_000): Promise<PipelinePromotionTargetResource[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const targets = await client.listPromotionTargets(id);
    if (targets.every((target) => target.status !== 'pending')) return targets;
    if (Date.now() > deadline) throw new CliError(`The promotion is still deploying: check paas releases -a ${targets[0]?.app.name ?? 'APP'}.`);
    await sleep(500);
  }
}
