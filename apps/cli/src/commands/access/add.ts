import type { Command } from 'commander';

import { usageError } from '../../cli-error.js';
import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

const PERMISSIONS = ['view', 'deploy', 'operate', 'manage'];

interface AddOptions extends AppOptions {
  readonly permissions: string;
}

export function parsePermissions(value: string): string[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !PERMISSIONS.includes(name));
  if (names.length === 0 || unknown.length > 0) throw usageError(`--permissions takes a comma list of ${PERMISSIONS.join(', ')}${unknown.length > 0 ? `; not ${unknown.join(', ')}` : ''}.`);
  return names;
}

export function registerAccessAdd(program: Command, ctx: CliContext): void {
  const command = program
    .command('access:add')
    .description("give a user access to an app; each permission includes the ones before it (view < deploy < operate < manage)")
    .argument('<EMAIL>', 'the user, as paas users lists them')
    .option('-p, --permissions <list>', 'comma list: view, deploy, operate, manage', 'view,deploy');
  withAppOptions(command);
  withExamples(command, ['paas access:add dev@example.com -a demo', 'paas access:add ops@example.com -a demo --permissions view,deploy,operate']);
  command.action(async (email: string, options: AddOptions) => {
    const name = await resolveApp(ctx, options);
    const permissions = parsePermissions(options.permissions);
    const client = await connect(ctx);
    await runAction(ctx, `Adding ${email} to ${name} with ${permissions.join(',')}`, () => client.addCollaborator(name, email, permissions));
  });
}
