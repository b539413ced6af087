import type { Command } from 'commander';

import { withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export function registerUsersRemove(program: Command, ctx: CliContext): void {
  const command = program
    .command('users:remove')
    .description('remove a user (admins only): their tokens stop working at once, their open log streams and one-offs end')
    .argument('<EMAIL>', 'the user, as paas users lists them');
  withExamples(command, ['paas users:remove dev@example.com']);
  command.action(async (email: string) => {
    const client = await connect(ctx);
    await runAction(ctx, `Removing ${email}`, () => client.removeUser(email));
  });
}
