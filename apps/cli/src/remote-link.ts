import type { CliContext } from './context.js';
import { addRemote, setRemoteUrl, trustCaForRemote } from './git-remote.js';

/**
 * Points `remote` at `url` (added when `existing` is undefined, changed when it differs) and
 * has git verify it with the CA Node trusts for the API (the platform's own, when paasd
 * issued its certificate).
 */
export async function linkRemote(ctx: CliContext, remote: string, url: string, existing: string | undefined): Promise<void> {
  if (existing === undefined) await addRemote(ctx.cwd, remote, url);
  else if (existing !== url) await setRemoteUrl(ctx.cwd, remote, url);
  const caFile = ctx.env.NODE_EXTRA_CA_CERTS?.trim();
  if (caFile && (await trustCaForRemote(ctx.cwd, url, caFile))) ctx.stderr.write(`git verifies ${new URL(url).origin} with ${caFile}\n`);
}
