import type { UserResource } from '@paas/core';
import type { Command } from 'commander';

import { withExamples, withJsonOption } from '../../command-options.js';
import type { JsonOption } from '../../command-options.js';
import { connect } from '../../connection.js';
import type { CliContext } from '../../context.js';
import { printJson, printLines } from '../../output.js';
import { formatRelativeTime } from '../../relative-time.js';
import { formatTable } from '../../table.js';

export function registerUsers(program: Command, ctx: CliContext): void {
  const command = program.command('users').description("list the platform's users and their roles (admins only)");
  withJsonOption(command);
  withExamples(command, ['paas users', 'paas users --json']);
  command.action(async (options: JsonOption) => {
    const users = await (await connect(ctx)).listUsers();
    if (options.json) return printJson(ctx, users);
    printLines(ctx, formatUsers(users));
  });
}

export function formatUsers(users: readonly UserResource[], now: Date = new Date()): string[] {
  return formatTable(users, [
    { header: 'Email', get: (user) => user.email },
    { header: 'Role', get: (user) => user.role },
    { header: 'Added', get: (user) => formatRelativeTime(user.created_at, now) },
  ]);
}
