import type { AuthorizationResource } from '@paas/core';
import type { Command } from 'commander';

import { withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatRelativeTime } from '../../relative-time.js';
import { formatTable } from '../../table.js';

export function registerAuthorizations(program: Command, ctx: CliContext): void {
  const command = program.command('authorizations').description('list your API tokens: id, description, scope, when made, last used and when they expire');
  withJsonOption(command);
  withExamples(command, ['paas authorizations', 'paas authorizations --json']);
  command.action(async (options: JsonOption) => {
    const authorizations = await (await connect(ctx)).listAuthorizations();
    if (options.json) return printJson(ctx, authorizations);
    printLines(ctx, formatAuthorizations(authorizations));
  });
}

export function formatAuthorizations(authorizations: readonly AuthorizationResource[], now: Date = new Date()): string[] {
  if (authorizations.length === 0) return ['You have no stored API tokens (PAAS_API_TOKEN is not listed): make one with paas authorizations:create.'];
  return formatTable(authorizations, [
    { header: 'ID', get: (a) => a.id },
    { header: 'Description', get: (a) => a.description || '—' },
    { header: 'Scope', get: (a) => a.scope.join(',') },
    { header: 'Created', get: (a) => formatRelativeTime(a.created_at, now) },
    { header: 'Last used', get: (a) => (a.last_used_at ? formatRelativeTime(a.last_used_at, now) : 'never') },
    { header: 'Expires', get: (a) => a.expires_at ?? 'never' },
  ]);
}

/** The lines shown when a token was made or rotated: its secret, this once. */
export function formatNewToken(authorization: AuthorizationResource): string {
  return [
    `Token ${authorization.id} (${authorization.scope.join(',')}${authorization.expires_at ? `, expires ${authorization.expires_at}` : ''}); shown this once:`,
    '',
    `  ${authorization.access_token.token ?? ''}`,
    '',
  ].join('\n');
}
