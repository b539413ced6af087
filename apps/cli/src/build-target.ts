import type { PaasClient } from '@paas/client';
import type { BuildResource } from '@paas/core';

import { CliError, usageError } from './cli-error.js';

/** How much of a build id `paas builds` shows; any unique prefix names a build. */
export const SHORT_BUILD_ID_LENGTH = 8;

export function shortBuildId(id: string): string {
  return id.slice(0, SHORT_BUILD_ID_LENGTH);
}

/**
 * The build an argument names: the newest when none is given, else the one whose id
 * is, or uniquely starts with, the argument. An id the list does not hold (an older
 * build) goes to paasd as it is, which says when there is no such build.
 */
export function matchBuildId(builds: readonly BuildResource[], given: string): string {
  const exact = builds.find((build) => build.id === given);
  if (exact) return exact.id;
  const matches = builds.filter((build) => build.id.startsWith(given));
  if (matches.length > 1) {
    throw usageError(`${given} is the start of ${String(matches.length)} build ids: give more of the id (see paas builds).`);
  }
  return matches[0]?.id ?? given;
}

export async function resolveBuildId(client: PaasClient, app: string, given: string | undefined): Promise<string> {
  const requested = given?.trim();
  if (requested === '') throw usageError('The build id is empty: give one from paas builds, or none for the newest build.');
  const builds = await client.listBuilds(app);
  if (requested === undefined) {
    const newest = builds[0];
    if (!newest) throw new CliError(`${app} has no builds yet: deploy with git push or paas deploy.`);
    return newest.id;
  }
  return matchBuildId(builds, requested);
}
