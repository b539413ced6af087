/**
 * Requests parked while an app boots (no web process up yet, state `booting`). They
 * resume when a table update changes the app's situation, or give up when the router
 * closes; each request's own timer turns a long wait into an H20.
 */
import type { RouteTable } from './route-table.js';

export type BootWaiter = (giveUp: boolean) => void;

export interface BootWaits {
  /** Parks `ready` until the app's entry changes; returns a cancel function. */
  wait(name: string, ready: BootWaiter): () => void;
  /** Resumes the waiters of every app that is no longer booting without backends. */
  release(table: RouteTable): void;
  /** Tells every waiter to give up (the router is closing). */
  giveUpAll(): void;
}

export function createBootWaits(): BootWaits {
  const waiting = new Map<string, Set<BootWaiter>>();

  const resume = (sets: Iterable<Set<BootWaiter>>, giveUp: boolean) => {
    for (const set of sets) for (const ready of set) ready(giveUp);
  };

  return {
    wait(name, ready) {
      let set = waiting.get(name);
      if (set === undefined) {
        set = new Set();
        waiting.set(name, set);
      }
      const entry = set;
      entry.add(ready);
      return () => {
        entry.delete(ready);
        if (entry.size === 0 && waiting.get(name) === entry) waiting.delete(name);
      };
    },

    release(table) {
      const ready: Set<BootWaiter>[] = [];
      for (const [name, set] of waiting) {
        const app = table.apps.get(name);
        if (app !== undefined && app.backends.length === 0 && app.state === 'booting' && !app.maintenance) continue;
        waiting.delete(name);
        ready.push(set);
      }
      resume(ready, false);
    },

    giveUpAll() {
      const all = [...waiting.values()];
      waiting.clear();
      resume(all, true);
    },
  };
}
