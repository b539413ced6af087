import { isApiError } from '@paas/client';

import { CliError, EXIT_FAILURE } from './cli-error.js';
import { apiBaseUrl, apiUrlFrom, DEFAULT_API_URL } from './connection.js';
import type { CliContext } from './context.js';

export interface Failure {
  readonly message: string;
  readonly exitCode: number;
}

/** Turns anything a command threw into a message that says what to do, and an exit code. */
export function describeFailure(error: unknown, ctx: CliContext): Failure {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (isApiError(error)) {
    if (error.id === 'unauthorized') return { message: refusedTokenMessage(ctx), exitCode: EXIT_FAILURE };
    return { message: error.message, exitCode: EXIT_FAILURE };
  }
  const detail = error instanceof Error ? error.message : String(error);
  const debug = ctx.env.PAAS_DEBUG ? `\n${error instanceof Error ? (error.stack ?? '') : ''}` : '\nRun again with PAAS_DEBUG=1 to see where it happened.';
  return { message: `Unexpected error: ${detail}${debug}`, exitCode: EXIT_FAILURE };
}

function refusedTokenMessage(ctx: CliContext): string {
  let api = DEFAULT_API_URL;
  try {
    api = apiBaseUrl(apiUrlFrom(ctx.env));
  } catch {
    // the URL was usable a moment ago for this very request; keep the default wording
  }
  if (ctx.env.PAAS_API_TOKEN?.trim()) {
    return `The API at ${api} refused the token in PAAS_API_TOKEN: set the right token there, or unset it and run paas login.`;
  }
  return `The API at ${api} refused your saved token: run paas login to log in again.`;
}
