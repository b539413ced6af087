import type { LogEvent } from './log-event.js';

/** A drain attached to an app, as the store keeps it. */
export interface DrainTarget {
  readonly id: string;
  /** The app's name: the syslog APP-NAME is the line's source, the app travels in the frame. */
  readonly app: string;
  readonly url: string;
  /** `d.<uuid>`: in the syslog HOSTNAME field and the `Logplex-Drain-Token` header. */
  readonly token: string;
}

export interface DrainStats {
  /** Lines the receiver accepted (syslog: written to the socket and flushed; HTTP: a 2xx). */
  readonly delivered: number;
  /** Lines dropped because the buffer was full; every one is reported in an L10 line. */
  readonly dropped: number;
  /** Lines waiting in the buffer. */
  readonly queued: number;
  /** Lines handed to the connection (syslog) or in the request being sent (HTTP), not yet confirmed. */
  readonly inFlight?: number;
  /** HTTP: lines in batches the receiver refused with a 4xx; said via `onError`, not retried. */
  readonly rejected?: number;
}

/** What a drain tells its owner; the owner puts these into the app's stream (not into drains). */
export interface DrainReports {
  /** `Error L10 (output buffer overflow): N messages dropped since TS`, sent to the receiver too. */
  readonly onOverflow: (line: string) => void;
  /** Connection refused, TLS failure, HTTP 5xx…: said once per failure episode, not per retry. */
  readonly onError: (line: string) => void;
}

/**
 * One outbound log stream. `push` never blocks and never throws: a slow or dead receiver
 * costs the drain's bounded buffer, never the app or the platform.
 */
export interface Drain {
  readonly id: string;
  push(event: LogEvent): void;
  stats(): DrainStats;
  /** Sends what is buffered (up to `timeoutMs`), then disconnects. */
  close(timeoutMs?: number): Promise<void>;
}
