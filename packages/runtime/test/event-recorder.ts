import type { DriverEvent, RuntimeDriver } from '../src/index.js';

export interface EventRecorder {
  readonly events: DriverEvent[];
  /** The first recorded event (past or future) that matches, or a rejection after `timeoutMs`. */
  waitFor(what: string, match: (event: DriverEvent) => boolean, timeoutMs?: number): Promise<DriverEvent>;
  stop(): void;
}

export function recordEvents(driver: RuntimeDriver): EventRecorder {
  const events: DriverEvent[] = [];
  const waiters = new Set<() => void>();
  const unsubscribe = driver.subscribe((event) => {
    events.push(event);
    for (const waiter of waiters) waiter();
  });
  return {
    events,
    waitFor(what, match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = events.find(match);
          if (!found) return false;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(found);
          return true;
        };
        const waiter = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`timed out waiting for ${what}; saw: ${JSON.stringify(events.slice(-20))}`));
        }, timeoutMs);
        waiters.add(waiter);
        check();
      });
    },
    stop: unsubscribe,
  };
}

export const isOutput = (id: string, text: string) => (event: DriverEvent) =>
  event.type === 'output' && event.id === id && event.line.includes(text);

export const isExit = (id: string) => (event: DriverEvent) => event.type === 'exit' && event.id === id;
