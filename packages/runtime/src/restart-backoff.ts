/**
 * Heroku's crash rule: the first crash restarts at once, later ones wait, doubling up
 * to a cap. A new release, a restart or a scale forgets the history.
 */
export interface BackoffPolicy {
  readonly firstDelayMs: number;
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { firstDelayMs: 2_000, capMs: 5 * 60_000 };

export interface RestartBackoff {
  /** Records a crash of `key`; returns when it may start again (epoch ms). */
  crashed(key: string, now: number): number;
  due(key: string, now: number): boolean;
  nextAttemptAt(key: string): number | undefined;
  reset(prefix: string): void;
}

export function createRestartBackoff(policy: BackoffPolicy = DEFAULT_BACKOFF): RestartBackoff {
  const entries = new Map<string, { failures: number; nextAt: number }>();
  return {
    crashed(key, now) {
      const failures = (entries.get(key)?.failures ?? 0) + 1;
      const delay = failures === 1 ? 0 : Math.min(policy.firstDelayMs * 2 ** (failures - 2), policy.capMs);
      entries.set(key, { failures, nextAt: now + delay });
      return now + delay;
    },
    due: (key, now) => (entries.get(key)?.nextAt ?? 0) <= now,
    nextAttemptAt: (key) => entries.get(key)?.nextAt,
    reset(prefix) {
      for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
    },
  };
}
