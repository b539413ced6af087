import type { DriverEvent } from '../../driver.js';
import type { DriverLogger } from './driver-logger.js';

export interface EventHub {
  readonly emit: (event: DriverEvent) => void;
  readonly subscribe: (listener: (event: DriverEvent) => void) => () => void;
}

/** Fans driver events out to subscribers; one failing listener does not starve the others. */
export function createEventHub(logger: DriverLogger): EventHub {
  const listeners = new Set<(event: DriverEvent) => void>();
  return {
    emit(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          logger.error({ err: error, event: event.type }, 'driver event listener failed');
        }
      }
    },
    subscribe(listener) {
      // Wrapped so that the same function subscribed twice gets two independent subscriptions.
      const wrapped = (event: DriverEvent): void => listener(event);
      listeners.add(wrapped);
      return () => listeners.delete(wrapped);
    },
  };
}
