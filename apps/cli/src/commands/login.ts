import { isApiError } from '@paas/client';
import type { AccountResource } from '@paas/core';
import type { Command } from 'commander';

import { CliError, usageError } from '../cli-error.js';
import { withExamples } from '../command-options.js';
import { apiBaseUrl, apiUrlFrom, clientFor, netrcMachine } from '../connection.js';
import { isInteractive } from '../context.js';
import type { CliContext } from '../context.js';
import { netrcPath, saveNetrcCredentials } from '../netrc-file.js';
import { promptHidden, promptLine } from '../prompt.js';


interface LoginOptions {
  readonly token?: string;
}

export function registerLogin(program: Command, ctx: CliContext): void {
  const command = program
    .command('login')
    .description('log in to the paas API: asks for your email and API token (or takes --token), checks them and saves them in ~/.netrc')
    .option('--token <token>', 'the API token (default: PAAS_API_TOKEN, else asked for on a terminal)');
  withExamples(command, ['paas login', 'paas login --token "$TOKEN"', 'PAAS_API_URL=https://paas.example.com paas login']);
  command.action((options: LoginOptions) => login(ctx, options));
}

async function login(ctx: CliContext, options: LoginOptions): Promise<void> {
  const url = apiUrlFrom(ctx.env);
  // Asked only on a terminal without --token or PAAS_API_TOKEN, as Heroku's login asks.
  const email = options.token === undefined && !ctx.env.PAAS_API_TOKEN?.trim() && isInteractive(ctx) ? (await promptLine(ctx, 'Email: ')).trim() : undefined;
  const token = checkToken(await obtainToken(ctx, options));
  const account = await verifyToken(url, token);
  if (email !== undefined && email !== '' && email.toLowerCase() !== account.email.toLowerCase()) {
    throw new CliError(`That token belongs to ${account.email}, not ${email}: log in with your own token (an admin makes one with paas users:add).`);
  }
  const path = netrcPath(ctx.env);
  // The netrc login is the account's email: git sends it with the token, and failed sign-ins count against that account.
  await saveNetrcCredentials(path, { machine: netrcMachine(url), login: account.email, password: token });
  ctx.stdout.write(`Logged in to ${apiBaseUrl(url)} as ${account.name} (token saved in ${path})\n`);
}

async function obtainToken(ctx: CliContext, options: LoginOptions): Promise<string> {
  if (options.token !== undefined) return options.token.trim();
  const fromEnv = ctx.env.PAAS_API_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  if (!isInteractive(ctx)) {
    throw usageError('No token given and no terminal to ask for one: pass --token TOKEN or set PAAS_API_TOKEN.');
  }
  return promptHidden(ctx, 'API token (input hidden): ');
}

function checkToken(token: string): string {
  if (token === '') throw usageError('The token is empty: pass the token paasd was started with (its PAAS_API_TOKEN).');
  if (/[\s"#]/.test(token)) throw usageError('A token cannot hold spaces, quotes or #: check that you copied it whole.');
  return token;
}

async function verifyToken(url: URL, token: string): Promise<AccountResource> {
  try {
    return await clientFor(url, token).getAccount();
  } catch (error) {
    if (isApiError(error) && error.id === 'unauthorized') {
      throw new CliError(`The API at ${apiBaseUrl(url)} refused that token: check it and run paas login again.`, {
        cause: error,
      });
    }
    throw error;
  }
}
