import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export function registerAccessRemove(program: Command, ctx: CliContext): void {
  const command = program
    .command('access:remove')
    .description('take away a user\'s access to an app: for a member it is then as if the app did not exist')
    .argument('<EMAIL>', 'the user, as paas access lists them');
  withAppOptions(command);
  withExamples(command, ['paas access:remove dev@example.com -a demo']);
  command.action(async (email: string, options: AppOptions) => {
    const name = await resolveApp(ctx, options);
    const client = await connect(ctx);
    await runAction(ctx, `Removing ${email} from ${name}`, () => client.removeCollaborator(name, email));
  });
}
