import { CONFIG_KEY_RULE, isConfigKey } from '@paas/core';

import { usageError } from './cli-error.js';

/**
 * `KEY=VALUE` arguments → a patch. The value is everything after the first `=`,
 * so it may hold `=` itself; `KEY=` sets an empty value; a repeated key takes the
 * last value.
 */
export function parseConfigAssignments(args: readonly string[]): Record<string, string> {
  if (args.length === 0) throw usageError('Give at least one KEY=VALUE, e.g. paas config:set RAILS_ENV=production.');
  const vars: Record<string, string> = {};
  for (const arg of args) {
    const equals = arg.indexOf('=');
    if (equals === -1) {
      throw usageError(`${shortArg(arg)} is not KEY=VALUE: write it like ${safeKey(arg)}=value (quote the value if it has spaces).`);
    }
    const key = arg.slice(0, equals);
    assertKey(key);
    vars[key] = arg.slice(equals + 1);
  }
  return vars;
}

/** `KEY …` arguments for config:unset and config:get. */
export function parseConfigKeys(args: readonly string[]): string[] {
  if (args.length === 0) throw usageError('Give at least one KEY, e.g. paas config:unset RAILS_ENV.');
  for (const key of args) assertKey(key);
  return [...new Set(args)];
}

function assertKey(key: string): void {
  if (!isConfigKey(key)) throw usageError(`Invalid config var key ${shortArg(key)}: ${CONFIG_KEY_RULE}.`);
}

function shortArg(arg: string): string {
  return JSON.stringify(arg.length > 40 ? `${arg.slice(0, 40)}…` : arg);
}

function safeKey(arg: string): string {
  return isConfigKey(arg) ? arg : 'KEY';
}
