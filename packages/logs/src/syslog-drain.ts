import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

import { createGuardedLookup } from './drain-address.js';
import { createDrainBuffer } from './drain-buffer.js';
import type { DrainOptions } from './drain-options.js';
import { parseDrainUrl, redactDrainUrl } from './drain-url.js';
import type { Drain, DrainReports, DrainTarget } from './drain.js';
import { deliveryErrorLine, describeConnectionError } from './delivery-error.js';
import type { LogEvent } from './log-event.js';
import { DEFAULT_RETRY, retryDelay } from './retry-delay.js';
import { noticeFrame, syslogFrame } from './syslog-frame.js';

/**
 * Bytes we let wait in the socket's own buffer. Past it, lines stay in the drain buffer,
 * where the bound and the L10 accounting apply, until the socket drains.
 */
const SOCKET_HIGH_WATER = 256 * 1024;
/** Frames are joined into writes of about this size: one syscall per many lines. */
const WRITE_CHUNK_BYTES = 64 * 1024;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
/**
 * A failure episode ends when a connection has lasted this long. Plain syslog has no
 * acknowledgements, so neither a connect nor a flushed write proves the receiver is well:
 * one that accepts and then drops every connection must be one failure, not one per retry.
 */
const STABLE_CONNECTION_MS = 10_000;

/**
 * A `syslog://` (TCP) or `syslog+tls://` drain: RFC 5424 frames with octet counting over one
 * lazily opened connection, reopened with backoff after a failure. Plain syslog has no
 * acknowledgements, so a line counts as delivered once the socket has flushed it; lines in
 * the socket's buffer when a connection breaks are lost, as with any syslog sender.
 * One closure holds the connection's state; it is long because its steps share that state.
 */
export function createSyslogDrain(target: DrainTarget, reports: DrainReports, options: DrainOptions = {}): Drain {
  const url = parseDrainUrl(target.url, options.targets);
  const guardedLookup = createGuardedLookup(options.targets);
  const shown = redactDrainUrl(target.url);
  const buffer = createDrainBuffer<Buffer>(options);
  const now = options.now ?? (() => new Date());
  const retry = { initialMs: options.retryInitialMs ?? DEFAULT_RETRY.initialMs, maxMs: options.retryMaxMs ?? DEFAULT_RETRY.maxMs };
  const connectTimeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;

  let socket: Socket | undefined;
  let connected = false;
  let connectedAt = 0;
  let lastError: unknown;
  let attempt = 0;
  let failing = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let flushImmediate: NodeJS.Immediate | undefined;
  let delivered = 0;
  let inFlight = 0;
  let closing = false;
  let closed: Promise<void> | undefined;
  /** Set while `close` waits for the buffer to empty. */
  let settle: (() => void) | undefined;

  const open = (): Socket => {
    const base = { host: url.host, port: url.port, lookup: guardedLookup };
    if (url.scheme === 'syslog') return netConnect(base);
    const tls: ConnectionOptions = { ...base };
    // SNI names a host; an IP literal is not sent as one.
    if (isIP(url.host) === 0) tls.servername = url.host;
    if (options.ca !== undefined) tls.ca = options.ca as ConnectionOptions['ca'];
    return tlsConnect(tls);
  };

  const fail = (what: string) => {
    if (!failing) {
      failing = true;
      reports.onError(deliveryErrorLine(shown, `${what}; retrying`));
    }
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      // Lazily: with nothing to send, the next push reconnects.
      if (buffer.length > 0) connect();
    }, retryDelay(attempt, retry, options.random));
    attempt += 1;
  };

  const connect = () => {
    if (socket !== undefined || retryTimer !== undefined || closing) return;
    lastError = undefined;
    let s: Socket;
    try {
      s = open();
    } catch (error) {
      // Bad TLS options and the like throw here rather than emit 'error'; same handling.
      fail(describeConnectionError(error));
      return;
    }
    socket = s;
    s.setTimeout(connectTimeoutMs, () => {
      s.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' }));
    });
    s.once(url.scheme === 'syslog' ? 'connect' : 'secureConnect', () => {
      s.setTimeout(0);
      s.setKeepAlive(true, 60_000);
      connected = true;
      connectedAt = Date.now();
      flush();
    });
    s.on('drain', flush);
    s.on('error', (error) => {
      lastError = error;
    });
    s.on('close', () => {
      const stable = connected && Date.now() - connectedAt >= STABLE_CONNECTION_MS;
      socket = undefined;
      connected = false;
      if (closing) {
        settle?.();
        return;
      }
      if (stable) {
        attempt = 0;
        failing = false;
        // A receiver may close a connection it has held for long; the next line reopens it.
        if (lastError === undefined && buffer.length === 0) return;
      }
      fail(lastError === undefined ? 'closed the connection' : describeConnectionError(lastError));
    });
  };

  const write = (frames: Buffer[], lines: number) => {
    if (socket === undefined) return;
    inFlight += lines;
    socket.write(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames), (error) => {
      inFlight -= lines;
      if (error === undefined || error === null) delivered += lines;
      settle?.();
    });
  };

  function flush() {
    flushImmediate = undefined;
    if (socket === undefined || !connected) return;
    if (socket.writableLength >= SOCKET_HIGH_WATER) return;
    const report = buffer.takeOverflowReport();
    if (report !== undefined) {
      reports.onOverflow(report);
      write([noticeFrame(report, target.token, now())], 0);
    }
    while (buffer.length > 0 && socket.writableLength < SOCKET_HIGH_WATER) {
      const chunk: Buffer[] = [];
      let bytes = 0;
      while (bytes < WRITE_CHUNK_BYTES) {
        const frame = buffer.shift();
        if (frame === undefined) break;
        chunk.push(frame);
        bytes += frame.length;
      }
      write(chunk, chunk.length);
    }
    settle?.();
  }

  const scheduleFlush = () => {
    if (connected && flushImmediate === undefined) flushImmediate = setImmediate(flush);
  };

  return {
    id: target.id,
    push(event: LogEvent) {
      if (closing) return;
      const frame = syslogFrame(event, target.token);
      buffer.push(frame, frame.length);
      if (socket === undefined) connect();
      else scheduleFlush();
    },
    stats: () => ({ delivered, dropped: buffer.dropped, queued: buffer.length, inFlight }),
    close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS) {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        clearTimeout(retryTimer);
        retryTimer = undefined;
        const finish = (flushed: boolean) => {
          clearTimeout(deadline);
          settle = undefined;
          if (flushImmediate !== undefined) clearImmediate(flushImmediate);
          flushImmediate = undefined;
          const s = socket;
          socket = undefined;
          connected = false;
          if (s !== undefined) {
            // Flushed: end politely (TLS close_notify). Otherwise a stalled receiver must not hold us.
            if (flushed) s.destroySoon();
            else s.destroy();
          }
          resolve();
        };
        const deadline = setTimeout(() => finish(false), timeoutMs);
        settle = () => {
          if (socket === undefined) finish(true);
          else if (buffer.length === 0 && inFlight === 0) finish(true);
        };
        settle();
      });
      return closed;
    },
  };
}
