import type { AddonResource } from '@paas/core';
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { CliError } from '../../cli-error.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, runAction } from '../../output.js';

interface CreateOptions extends AppOptions, JsonOption {
  readonly as?: string;
  readonly name?: string;
  readonly wait?: boolean;
}

export function registerAddonsCreate(program: Command, ctx: CliContext): void {
  const command = program
    .command('addons:create')
    .description('create an add-on (postgresql or redis) and attach it to the app: a new release with DATABASE_URL or REDIS_URL')
    .argument('<SERVICE>', 'postgresql or redis (heroku-postgresql and heroku-redis work too)')
    .option('--as <NAME>', 'the attachment name: the app gets NAME_URL')
    .option('--name <NAME>', 'the add-on\'s name (default: generated)')
    .option('--wait', 'wait until it is provisioned and attached');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas addons:create postgresql -a demo --wait', 'paas addons:create redis --as CACHE -a demo']);
  command.action((service: string, options: CreateOptions) => createAddon(ctx, service, options));
}

async function createAddon(ctx: CliContext, service: string, options: CreateOptions): Promise<void> {
  const app = await resolveApp(ctx, options);
  const client = await connect(ctx);
  let addon = await runAction(ctx, `Creating ${service} on ${app}`, () =>
    client.createAddon(app, { plan: service, ...(options.name ? { name: options.name } : {}), ...(options.as ? { attachment: { name: options.as } } : {}) }),
  (created) => `done, ${created.name} (${created.state})`);
  if (options.wait) addon = await runAction(ctx, `Waiting for ${addon.name}`, () => waitForAddon(() => client.getAddon(addon.id)), (ready) => `done, attached as ${ready.config_vars.join(', ')}`);
  if (options.json) return printJson(ctx, addon);
  if (!options.wait) ctx.stdout.write(`${addon.name} is being created; paas addons:info ${addon.name} shows when it is ready.\n`);
}

/** Polls until the add-on is provisioned and attached; a failed one is an error that says why. */
export async function waitForAddon(read: () => Promise<AddonResource>, timeoutMs = 180_000): Promise<AddonResource> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const addon = await read();
    if (addon.state === 'failed') throw new CliError(`${addon.name} could not be provisioned: ${addon.state_reason ?? 'no reason given'}`);
    if (addon.state === 'provisioned' && addon.config_vars.length > 0) return addon;
    if (Date.now() > deadline) throw new CliError(`${addon.name} is still ${addon.state}: check again with paas addons:info ${addon.name}.`);
    await sleep(500);
  }
}
