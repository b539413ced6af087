import type { Command } from 'commander';

import { withExamples } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { runAction } from '../../output.js';

export function registerAuthorizationsRevoke(program: Command, ctx: CliContext): void {
  const command = program
    .command('authorizations:revoke')
    .description('revoke an API token: it stops working at once, and the log streams and one-offs it opened end')
    .argument('<ID>', 'the token id, as paas authorizations lists it');
  withExamples(command, ['paas authorizations:revoke 6f1b…']);
  command.action(async (id: string) => {
    const client = await connect(ctx);
    await runAction(ctx, `Revoking ${id}`, () => client.revokeAuthorization(id));
  });
}
