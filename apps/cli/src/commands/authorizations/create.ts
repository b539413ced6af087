import type { Command } from 'commander';
import { Option } from 'commander';

import { countParser, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, runAction } from '../../output.js';
import { formatNewToken } from './index.js';

/** Ten years, the longest lifetime the API takes. */
const MAX_EXPIRES_IN = 10 * 365 * 24 * 3600;

interface CreateOptions extends JsonOption {
  readonly description?: string;
  readonly scope: 'read' | 'write' | 'global';
  readonly expiresIn?: number;
}

export function registerAuthorizationsCreate(program: Command, ctx: CliContext): void {
  const command = program
    .command('authorizations:create')
    .description('make an API token for yourself; its secret is shown once')
    .option('-d, --description <text>', 'what the token is for, e.g. "CI deploys"')
    .addOption(new Option('-s, --scope <scope>', 'read: only looks; write: changes apps; global: also tokens and users').choices(['read', 'write', 'global']).default('global'))
    .option('-e, --expires-in <seconds>', 'the token stops working after this many seconds', countParser(MAX_EXPIRES_IN));
  withJsonOption(command);
  withExamples(command, ['paas authorizations:create --description "CI" --scope write', 'paas authorizations:create --scope read --expires-in 3600']);
  command.action(async (options: CreateOptions) => {
    const client = await connect(ctx);
    const authorization = await runAction(ctx, 'Creating an API token', () =>
      client.createAuthorization({
        scope: options.scope,
        ...(options.description === undefined ? {} : { description: options.description }),
        ...(options.expiresIn === undefined ? {} : { expires_in: options.expiresIn }),
      }),
    );
    if (options.json) return printJson(ctx, authorization);
    ctx.stdout.write(formatNewToken(authorization));
  });
}
