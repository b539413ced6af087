/**
 * Answers computed from the store, kept until the store changes. The releases list of an
 * app with hundreds of releases is read far more often than it changes (the dashboard
 * polls it, `paas releases`, Heroku's CLI), and building it (a query, a resource per
 * release, JSON) costs far more than checking the store's generation.
 */
export interface StoreAnswerCache<T> {
  /** The kept answer for `key` if the store has not changed since, else `make()`'s, kept. */
  get(key: string, make: () => T): T;
}

/** At most `capacity` answers are kept; the least recently used goes first. */
export function createStoreAnswerCache<T>(generation: () => number, capacity = 64): StoreAnswerCache<T> {
  const kept = new Map<string, { generation: number; answer: T }>();
  return {
    get(key, make) {
      const now = generation();
      const entry = kept.get(key);
      kept.delete(key);
      if (entry !== undefined && entry.generation === now) {
        kept.set(key, entry);
        return entry.answer;
      }
      const answer = make();
      kept.set(key, { generation: now, answer });
      if (kept.size > capacity) kept.delete(kept.keys().next().value as string);
      return answer;
    },
  };
}
