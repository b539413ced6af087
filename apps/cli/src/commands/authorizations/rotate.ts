import type { Command } from 'commander';

import { withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, runAction } from '../../output.js';
import { formatNewToken } from './index.js';

export function registerAuthorizationsRotate(program: Command, ctx: CliContext): void {
  const command = program
    .command('authorizations:rotate')
    .description('give an API token a new secret, shown once; the old secret stops working at once')
    .argument('<ID>', 'the token id, as paas authorizations lists it');
  withJsonOption(command);
  withExamples(command, ['paas authorizations:rotate 6f1b…']);
  command.action(async (id: string, options: JsonOption) => {
    const client = await connect(ctx);
    const authorization = await runAction(ctx, `Rotating ${id}`, () => client.rotateAuthorization(id));
    if (options.json) return printJson(ctx, authorization);
    ctx.stdout.write(formatNewToken(authorization));
  });
}
