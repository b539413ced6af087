import type { ConfigVarsUpdate } from '@paas/client';

/** The end of the action line: the new release, or that nothing changed (no release made). */
export function describeConfigOutcome(update: ConfigVarsUpdate): string {
  return update.releaseVersion === undefined
    ? 'done, nothing changed (no new release)'
    : `done, v${String(update.releaseVersion)}`;
}
