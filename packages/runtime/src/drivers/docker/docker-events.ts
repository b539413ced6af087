import type Docker from 'dockerode';

import type { DriverLogger } from '../shared/driver-logger.js';

/** One line of Docker's event stream, for a container. */
export interface ContainerEvent {
  readonly id: string;
  /** `die`, `oom`, … */
  readonly action: string;
  /** The container's labels, `exitCode` on `die`, `name`, `image`. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface ContainerEventWatch {
  /** Settles when the stream is first connected (so a start right after misses no `die`). */
  readonly ready: Promise<void>;
  close(): void;
}

export interface WatchOptions {
  readonly filters: Readonly<Record<string, readonly string[]>>;
  readonly onEvent: (event: ContainerEvent) => void;
  /** After a reconnect events may have been missed (the daemon keeps none across its own restart). */
  readonly onReconnect: () => void;
  readonly logger: DriverLogger;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

interface RawEvent {
  Type?: string;
  Action?: string;
  id?: string;
  time?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/**
 * Follows `/events` for containers, for as long as the driver lives: the stream is
 * newline-delimited JSON whose lines chunks can split; when it ends (the daemon
 * restarted, the socket broke) it reconnects with doubling backoff, from the time of
 * the last event seen so that little is missed.
 */
export function watchContainerEvents(docker: Docker, options: WatchOptions): ContainerEventWatch {
  const initialBackoff = options.initialBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  let backoff = initialBackoff;
  let closed = false;
  let connectedOnce = false;
  let since: number | undefined;
  let current: NodeJS.ReadableStream | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const handleLine = (line: string): void => {
    if (line.trim() === '') return;
    let raw: RawEvent;
    try {
      raw = JSON.parse(line) as RawEvent;
    } catch (error) {
      options.logger.warn({ err: error }, 'unreadable docker event');
      return;
    }
    if (typeof raw.time === 'number') since = raw.time;
    const id = raw.Actor?.ID ?? raw.id;
    if ((raw.Type ?? 'container') !== 'container' || !id || !raw.Action) return;
    options.onEvent({ id, action: raw.Action, attributes: raw.Actor?.Attributes ?? {} });
  };

  const scheduleReconnect = (): void => {
    if (closed || retryTimer) return;
    options.logger.warn({ retryInMs: backoff }, 'docker event stream ended');
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, backoff);
    backoff = Math.min(backoff * 2, maxBackoff);
  };

  const connect = async (): Promise<void> => {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await docker.getEvents({
        filters: JSON.stringify(options.filters),
        ...(since === undefined ? {} : { since }),
      });
    } catch (error) {
      options.logger.debug({ err: error }, 'docker event stream unavailable');
      scheduleReconnect();
      return;
    }
    if (closed) {
      (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
      return;
    }
    current = stream;
    backoff = initialBackoff;
    if (connectedOnce) options.onReconnect();
    connectedOnce = true;
    markReady();
    let pending = '';
    stream.on('data', (chunk: Buffer | string) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) handleLine(line);
    });
    let ended = false;
    const onEnd = (): void => {
      if (ended) return;
      ended = true;
      if (current === stream) current = undefined;
      scheduleReconnect();
    };
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('error', onEnd);
  };

  void connect();
  return {
    ready,
    close() {
      closed = true;
      clearTimeout(retryTimer);
      (current as (NodeJS.ReadableStream & { destroy(): void }) | undefined)?.destroy();
      current = undefined;
    },
  };
}
