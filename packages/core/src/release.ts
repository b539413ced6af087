import { PaasError, invalidParams } from './errors.js';

/**
 * `superseded`: a newer release was made before this one went live, so it was skipped
 * (its config and code are carried by the newer one, which deploys in its place).
 */
export type ReleaseStatus = 'pending' | 'succeeded' | 'failed' | 'superseded';

export interface Release {
  readonly id: string;
  readonly appId: string;
  readonly version: number;
  readonly description: string;
  readonly actor: string;
  readonly slugId: string | null;
  readonly configVersion: number;
  readonly status: ReleaseStatus;
  /** Why a release failed or was superseded, in the user's words; absent otherwise. */
  readonly reason?: string;
  readonly createdAt: string;
}

/** Accepts `7`, `"7"` and `"v7"`. */
export function parseReleaseVersion(value: string | number): number | undefined {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = /^v?(\d{1,9})$/i.exec(text);
  if (!match) return undefined;
  const version = Number(match[1]);
  return version >= 1 ? version : undefined;
}

export function describeDeploy(commit: string | null): string {
  return commit ? `Deploy ${commit.slice(0, 7)}` : 'Deploy';
}

export function describeRollback(version: number): string {
  return `Rollback to v${String(version)}`;
}

/**
 * Checks that `target` may become the app's running release. A release without a
 * slug (made before the first deploy) is a fine target only while the app has no
 * code deployed: otherwise the rollback would take the app's code away.
 */
export function checkRollbackTarget(target: Release | undefined, requested: string, current: Release): Release {
  if (!target) {
    throw new PaasError('invalid_params', `Release ${requested} does not exist: see \`paas releases\` for the versions this app has.`);
  }
  if (target.status === 'failed' || target.status === 'superseded') {
    throw invalidParams(`Release v${String(target.version)} ${target.status === 'failed' ? 'failed' : 'never went live (a newer release superseded it)'}: roll back to a release that succeeded.`);
  }
  if (target.slugId === null && current.slugId !== null) {
    throw invalidParams(
      `Release v${String(target.version)} has no slug (it predates the first deploy), so rolling back to it would remove the app's code: pick a release with a slug.`,
    );
  }
  return target;
}
