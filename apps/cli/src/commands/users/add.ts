import type { Command } from 'commander';
import { Option } from 'commander';

import { withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, runAction } from '../../output.js';

interface AddOptions extends JsonOption {
  readonly role: 'admin' | 'member';
}

export function registerUsersAdd(program: Command, ctx: CliContext): void {
  const command = program
    .command('users:add')
    .description("add a user (admins only) and print their first API token, once: hand it to them")
    .argument('<EMAIL>', "the user's email; releases and activity name them by it")
    .addOption(new Option('--role <role>', 'admin sees every app; member only the apps given with access:add').choices(['admin', 'member']).default('member'));
  withJsonOption(command);
  withExamples(command, ['paas users:add dev@example.com', 'paas users:add ops@example.com --role admin']);
  command.action(async (email: string, options: AddOptions) => {
    const client = await connect(ctx);
    const user = await runAction(ctx, `Adding ${email} as ${options.role}`, () => client.addUser(email, options.role));
    if (options.json) return printJson(ctx, user);
    ctx.stdout.write(
      [
        `Their first API token (shown this once; only its hash is kept):`,
        '',
        `  ${user.authorization.access_token.token ?? ''}`,
        '',
        `They log in with: paas login --token TOKEN`,
        '',
      ].join('\n'),
    );
  });
}
