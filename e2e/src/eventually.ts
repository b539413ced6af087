export interface EventuallyOptions {
  /** What is awaited, for the timeout message. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
}

/**
 * Polls `probe` until it returns something other than undefined, and returns that.
 * A probe that throws counts as "not yet"; its last error is named on timeout.
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, options: EventuallyOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const why = last === undefined ? '' : `; last error: ${last instanceof Error ? last.message : JSON.stringify(last)}`;
      throw new Error(`timed out after ${String(options.timeoutMs / 1000)} s waiting for ${options.what}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}
