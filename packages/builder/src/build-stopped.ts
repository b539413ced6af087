import type { FailureEvent } from './build-failure.js';

/** A classified failure raised by a step. */
export class BuildStopped extends Error {
  readonly event: FailureEvent;

  constructor(event: FailureEvent) {
    super(event.kind);
    this.event = event;
  }
}
