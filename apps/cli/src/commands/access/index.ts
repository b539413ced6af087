import type { CollaboratorResource } from '@paas/core';
import type { Command } from 'commander';

import { resolveApp } from '../../app-target.js';
import type { AppOptions } from '../../app-target.js';
import { withAppOptions, withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatTable } from '../../table.js';

export function registerAccess(program: Command, ctx: CliContext): void {
  const command = program.command('access').description('list who may reach an app, and with which permissions');
  withAppOptions(command);
  withJsonOption(command);
  withExamples(command, ['paas access -a demo', 'paas access -a demo --json']);
  command.action(async (options: AppOptions & JsonOption) => {
    const name = await resolveApp(ctx, options);
    const collaborators = await (await connect(ctx)).listCollaborators(name);
    if (options.json) return printJson(ctx, collaborators);
    printLines(ctx, formatCollaborators(collaborators));
  });
}

export function formatCollaborators(collaborators: readonly CollaboratorResource[]): string[] {
  return formatTable(collaborators, [
    { header: 'Email', get: (c) => c.user.email },
    { header: 'Role', get: (c) => c.role },
    { header: 'Permissions', get: (c) => c.permissions.map((p) => p.name).join(',') },
  ]);
}
