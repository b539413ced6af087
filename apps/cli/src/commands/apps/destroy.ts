import type { Command } from 'commander';

import { confirmAppName } from '../../app-confirmation.js';
import { checkAppName, resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { isInteractive } from '../../context.js';
import { appFromGitUrl, getRemoteUrl, removeRemote } from '../../git-remote.js';
import { runAction } from '../../output.js';

interface DestroyOptions extends AppOptions {
  readonly confirm?: string;
}

export function registerAppsDestroy(program: Command, ctx: CliContext): void {
  const command = program
    .command('apps:destroy')
    .description('destroy an app with all its releases, config and processes, for good')
    .argument('[app]', 'the app to destroy (same as -a)')
    .option('--confirm <app>', 'the app name again, to confirm without being asked');
  withAppOptions(command);
  withExamples(command, ['paas apps:destroy -a demo', 'paas apps:destroy demo --confirm demo']);
  command.action((app: string | undefined, options: DestroyOptions) => destroyApp(ctx, app, options));
}

async function destroyApp(ctx: CliContext, positional: string | undefined, options: DestroyOptions): Promise<void> {
  const app = positional !== undefined ? checkAppName(positional) : await resolveApp(ctx, options);
  const request = { app, confirm: options.confirm, action: `Destroying ${app}`, outcome: 'nothing was destroyed' };
  const consequence = `This destroys ${app} with all its releases, config and processes`;
  // A wrong --confirm, or nobody to ask, fails before the API is asked anything.
  const asked = options.confirm === undefined && isInteractive(ctx);
  if (!asked) await confirmAppName(ctx, { ...request, consequence });
  const client = await connect(ctx);
  const addons = (await client.listAddons(app)).filter((addon) => addon.app.name === app);
  const others = addons.length === 0 ? [] : (await client.listAddonAttachments()).filter((a) => a.addon.app.name === app && a.app.name !== app);
  const losing = others.map((a) => `${a.app.name} loses ${a.name}_URL`);
  const withAddons = addons.length > 0 ? `, and its add-ons ${addons.map((a) => a.name).join(', ')} with their data${losing.length > 0 ? ` (${losing.join(', ')})` : ''}` : '';
  if (asked) await confirmAppName(ctx, { ...request, consequence: `${consequence}${withAddons}` });
  else if (withAddons !== '') ctx.stderr.write(` ▸    ${consequence}${withAddons}.\n`);
  await runAction(ctx, `Destroying ${app} (including all releases, config and processes${addons.length > 0 ? ' and add-ons' : ''})`, () => client.deleteApp(app, { confirm: app }));
  await unlinkGitRemote(ctx, options.remote, app);
}

/** The remote would point at nothing now; remove it when it named this very app. */
async function unlinkGitRemote(ctx: CliContext, remote: string, app: string): Promise<void> {
  const url = await getRemoteUrl(ctx.cwd, remote);
  if (url === undefined || appFromGitUrl(url) !== app) return;
  await removeRemote(ctx.cwd, remote);
  ctx.stderr.write(`Git remote ${remote} removed\n`);
}
