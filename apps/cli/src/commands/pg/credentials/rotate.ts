import type { Command } from 'commander';

import { resolveAddon } from '../../../addon-target.js';
import { resolveApp } from '../../../app-target.js';
import type { AppOptions } from '../../../app-target.js';
import { CliError } from '../../../cli-error.js';
import { withAppOptions, withExamples } from '../../../command-options.js';
import { connect } from '../../../connection.js';
import type { CliContext } from '../../../context.js';
import { printLines, runAction } from '../../../output.js';

export function registerPgCredentialsRotate(program: Command, ctx: CliContext): void {
  const command = program
    .command('pg:credentials:rotate')
    .description('new credentials for every attachment of a postgresql add-on: each app gets a release with the new URL, and the old credentials stop working once it serves')
    .argument('[ADDON]', 'the add-on or attachment (default: the app\'s DATABASE)');
  withAppOptions(command);
  withExamples(command, ['paas pg:credentials:rotate -a demo']);
  command.action(async (ref: string | undefined, options: AppOptions) => {
    const app = await resolveApp(ctx, options);
    const client = await connect(ctx);
    const addon = await resolveAddon(client, app, ref, 'postgresql');
    const { releases } = await runAction(ctx, `Rotating the credentials of ${addon.name}`, () => client.rotateAddonCredentials(addon.id));
    printLines(ctx, releases.map((r) => `${r.app}: ${r.release === null ? 'no release needed' : `v${String(r.release)}`} ${r.ok ? 'live with the new credentials' : `did not go live (${r.message ?? 'see paas releases'}); the old credentials stay valid`}`));
    if (releases.some((r) => !r.ok)) throw new CliError('Some apps still use the old credentials.');
  });
}
