/**
 * Limits failed authentication per client address: a token bucket of `burst` failures that
 * refills at `perSecond`. Only failures spend; a client over the limit is refused before its
 * credential is checked, so guessing goes no faster than the refill. Pure, the clock passed in.
 */
export interface FailureLimiter {
  /** Seconds the client must wait before trying again, or 0 when it may try now. */
  retryAfter(client: string): number;
  /** Counts one failed attempt. */
  fail(client: string): void;
  /** How many clients are tracked (bounded by `maxClients`). */
  size(): number;
}

export interface FailureLimiterOptions {
  readonly burst?: number;
  readonly perSecond?: number;
  /** Past this many tracked clients the least recently failing are forgotten. */
  readonly maxClients?: number;
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createFailureLimiter(options: FailureLimiterOptions = {}): FailureLimiter {
  const burst = options.burst ?? 20;
  const perSecond = options.perSecond ?? 1;
  const maxClients = options.maxClients ?? 10_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();

  const current = (client: string): Bucket | undefined => {
    const bucket = buckets.get(client);
    if (!bucket) return undefined;
    const at = now();
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.at) / 1000) * perSecond);
    bucket.at = at;
    if (bucket.tokens >= burst) {
      // Full again: nothing to remember.
      buckets.delete(client);
      return undefined;
    }
    return bucket;
  };

  return {
    retryAfter(client) {
      const bucket = current(client);
      if (!bucket || bucket.tokens >= 1) return 0;
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    },
    fail(client) {
      const bucket = current(client) ?? { tokens: burst, at: now() };
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      // Re-inserting keeps the map ordered by last failure, oldest first.
      buckets.delete(client);
      buckets.set(client, bucket);
      while (buckets.size > maxClients) {
        const oldest = buckets.keys().next().value;
        if (oldest === undefined) break;
        buckets.delete(oldest);
      }
    },
    size: () => buckets.size,
  };
}
