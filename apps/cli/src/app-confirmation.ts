import { CliError, usageError } from './cli-error.js';
import { isInteractive } from './context.js';
import type { CliContext } from './context.js';
import { promptLine } from './prompt.js';

export interface ConfirmationRequest {
  readonly app: string;
  /** The value of `--confirm`, when given. */
  readonly confirm: string | undefined;
  /** What is about to happen, as a gerund phrase: `Destroying demo`. */
  readonly action: string;
  /** What it does, as a sentence without its end: `This destroys demo with all its releases`. */
  readonly consequence: string;
  /** What did not happen when the confirmation fails: `nothing was destroyed`. */
  readonly outcome: string;
}

/**
 * heroku/cli's guard for what cannot be undone: `--confirm APP`, else the app name
 * typed at a terminal; with neither, nothing happens.
 */
export async function confirmAppName(ctx: CliContext, request: ConfirmationRequest): Promise<void> {
  const { app, confirm } = request;
  if (confirm !== undefined) {
    if (confirm !== app) throw usageError(`--confirm ${confirm} does not match the app ${app}: ${request.outcome}.`);
    return;
  }
  if (!isInteractive(ctx)) {
    throw usageError(`${request.action} cannot be undone, and there is no terminal to ask: pass --confirm ${app}.`);
  }
  ctx.stderr.write(` ▸    ${request.consequence}, and cannot be undone.\n`);
  const answer = await promptLine(ctx, ` ▸    To proceed, type ${app}: `);
  if (answer !== app) throw new CliError(`Confirmation did not match ${app}: ${request.outcome}.`);
}
