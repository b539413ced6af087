import { createClient } from '@paas/client';
import type { PaasClient } from '@paas/client';

import { CliError } from './cli-error.js';
import type { CliContext } from './context.js';
import { netrcPath, readNetrcPassword } from './netrc-file.js';

export const DEFAULT_API_URL = 'http://localhost:5100';

/** `PAAS_API_URL`, else the local default; refused unless it is an http(s) URL. */
export function apiUrlFrom(env: NodeJS.ProcessEnv): URL {
  const raw = env.PAAS_API_URL?.trim() || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new CliError(`PAAS_API_URL=${JSON.stringify(raw)} is not a URL: set it like ${DEFAULT_API_URL}.`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`PAAS_API_URL must start with http:// or https://, not ${url.protocol}//.`);
  }
  return url;
}

/** The base URL as the client takes it: no trailing slash, path kept. */
export function apiBaseUrl(url: URL): string {
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * The netrc machine for the API: its host name without the port, which is what curl
 * (and so `git push` to the app's git_url on the same host) looks up.
 */
export function netrcMachine(url: URL): string {
  return url.hostname;
}

/** `PAAS_API_TOKEN`, else the password of the API host's netrc entry. */
export async function resolveToken(ctx: CliContext, url: URL): Promise<string> {
  const fromEnv = ctx.env.PAAS_API_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const fromNetrc = await readNetrcPassword(netrcPath(ctx.env), netrcMachine(url));
  if (fromNetrc) return fromNetrc;
  throw new CliError(`Not logged in to ${apiBaseUrl(url)}: run paas login, or set PAAS_API_TOKEN.`);
}

export function clientFor(url: URL, token: string): PaasClient {
  return createClient({ baseUrl: apiBaseUrl(url), token });
}

/** A client for the configured API with the configured token. */
export async function connect(ctx: CliContext): Promise<PaasClient> {
  const url = apiUrlFrom(ctx.env);
  return clientFor(url, await resolveToken(ctx, url));
}
