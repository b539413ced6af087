import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';

import { createGuardedLookup } from './drain-address.js';
import { createDrainBuffer } from './drain-buffer.js';
import type { DrainOptions } from './drain-options.js';
import { parseDrainUrl, redactDrainUrl } from './drain-url.js';
import type { Drain, DrainReports, DrainTarget } from './drain.js';
import { deliveryErrorLine, describeConnectionError } from './delivery-error.js';
import type { LogEvent } from './log-event.js';
import { DEFAULT_RETRY, retryDelay } from './retry-delay.js';
import { noticeFrame, syslogFrame } from './syslog-frame.js';

const DEFAULT_BATCH_LINES = 500;
const DEFAULT_BATCH_BYTES = 1024 * 1024;
const DEFAULT_FLUSH_INTERVAL_MS = 250;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

/** One POST body; kept whole across retries so the receiver can deduplicate by `id`. */
interface Batch {
  readonly id: string;
  readonly body: Buffer;
  /** Frames in the body, the overflow notice included: `Logplex-Msg-Count`. */
  readonly frames: number;
  /** App lines among them: what `delivered` counts. */
  readonly lines: number;
}

type Outcome = 'delivered' | 'retry' | 'rejected';

/** 408 and 429 say "later", as 5xx do; other 4xx will not change on a retry. */
function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'rejected';
}

function basicAuth(username: string, password: string): string | undefined {
  if (username === '' && password === '') return undefined;
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/**
 * An `https://` drain: octet-counted syslog frames POSTed in batches, as
 * Heroku's logplex does. One request at a time; a failed batch is retried unchanged (same
 * `Logplex-Frame-Id`) while new lines wait in the bounded buffer. node:http rather than
 * fetch, for a request timeout that also covers a receiver that never answers.
 * One closure holds the batch and timer state; it is long because its steps share that state.
 */
export function createHttpDrain(target: DrainTarget, reports: DrainReports, options: DrainOptions = {}): Drain {
  const url = parseDrainUrl(target.url, options.targets);
  const guardedLookup = createGuardedLookup(options.targets);
  const shown = redactDrainUrl(target.url);
  const buffer = createDrainBuffer<Buffer>(options);
  const now = options.now ?? (() => new Date());
  const retry = { initialMs: options.retryInitialMs ?? DEFAULT_RETRY.initialMs, maxMs: options.retryMaxMs ?? DEFAULT_RETRY.maxMs };
  const maxBatchLines = options.maxBatchLines ?? DEFAULT_BATCH_LINES;
  const maxBatchBytes = options.maxBatchBytes ?? DEFAULT_BATCH_BYTES;
  const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const authorization = basicAuth(url.username, url.password);

  let batch: Batch | undefined;
  let request: http.ClientRequest | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let sendImmediate: NodeJS.Immediate | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let failing = false;
  let delivered = 0;
  let rejected = 0;
  let closing = false;
  let stopped = false;
  let closed: Promise<void> | undefined;
  let settle: (() => void) | undefined;

  const report = (what: string) => {
    if (failing) return;
    failing = true;
    reports.onError(deliveryErrorLine(shown, what));
  };

  const takeBatch = (): Batch | undefined => {
    const frames: Buffer[] = [];
    let bytes = 0;
    const overflow = buffer.takeOverflowReport();
    if (overflow !== undefined) {
      reports.onOverflow(overflow);
      const notice = noticeFrame(overflow, target.token, now(), 'logplex');
      frames.push(notice);
      bytes += notice.length;
    }
    let lines = 0;
    while (lines < maxBatchLines) {
      const next = buffer.peekBytes();
      if (next === undefined || (frames.length > 0 && bytes + next > maxBatchBytes)) break;
      frames.push(buffer.shift() as Buffer);
      bytes += next;
      lines += 1;
    }
    if (frames.length === 0) return undefined;
    return { id: randomUUID(), body: Buffer.concat(frames, bytes), frames: frames.length, lines };
  };

  const finished = (current: Batch, outcome: Outcome, what: string) => {
    request = undefined;
    if (stopped) return;
    if (outcome === 'retry') {
      report(`${what}; retrying`);
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        post(current);
      }, retryDelay(attempt, retry, options.random));
      attempt += 1;
      return;
    }
    batch = undefined;
    attempt = 0;
    if (outcome === 'delivered') {
      delivered += current.lines;
      failing = false;
    } else {
      rejected += current.lines;
      report(`${what}; dropped ${String(current.lines)} lines`);
    }
    schedule();
  };

  function post(current: Batch) {
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/logplex-1',
      'Content-Length': current.body.length,
      'Logplex-Msg-Count': current.frames,
      'Logplex-Frame-Id': current.id,
      'Logplex-Drain-Token': target.token,
      'User-Agent': 'paas-logs',
    };
    if (authorization !== undefined) headers.Authorization = authorization;
    const requestOptions: https.RequestOptions = {
      host: url.host,
      port: url.port,
      path: url.path,
      method: 'POST',
      headers,
      agent,
      lookup: guardedLookup,
      timeout: timeoutMs,
    };
    if (isIP(url.host) === 0) requestOptions.servername = url.host;
    if (options.ca !== undefined) requestOptions.ca = options.ca as https.RequestOptions['ca'];
    let done = false;
    const end = (outcome: Outcome, what: string) => {
      if (done) return;
      done = true;
      finished(current, outcome, what);
    };
    try {
      const req = https.request(requestOptions, (res) => {
        const status = res.statusCode ?? 0;
        // The body means nothing to us; reading it frees the kept-alive connection.
        res.resume();
        // The status has decided the outcome; a body cut short changes nothing.
        res.on('error', () => undefined);
        const outcome = outcomeOf(status);
        const what = status >= 300 && status < 400
          ? `answered ${String(status)} ${http.STATUS_CODES[status] ?? ''}: redirects are not followed`
          : `answered ${String(status)} ${http.STATUS_CODES[status] ?? ''}`.trimEnd();
        end(outcome, what);
      });
      request = req;
      req.on('timeout', () => {
        req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' }));
      });
      req.on('error', (error) => end('retry', describeConnectionError(error)));
      req.end(current.body);
    } catch (error) {
      // request() throws on options node refuses; the batch waits for a retry like any failure.
      end('retry', describeConnectionError(error));
    }
  }

  const send = () => {
    sendImmediate = undefined;
    if (stopped || batch !== undefined) return;
    batch = takeBatch();
    if (batch === undefined) {
      settle?.();
      return;
    }
    post(batch);
  };

  /** Sends now when a batch is full (or the drain is closing), else within the flush interval. */
  function schedule() {
    if (stopped || batch !== undefined) return;
    if (buffer.length === 0) {
      settle?.();
      return;
    }
    if (closing || buffer.length >= maxBatchLines || buffer.bytes >= maxBatchBytes) {
      clearTimeout(flushTimer);
      flushTimer = undefined;
      sendImmediate ??= setImmediate(send);
    } else {
      flushTimer ??= setTimeout(() => {
        flushTimer = undefined;
        send();
      }, flushIntervalMs);
    }
  }

  return {
    id: target.id,
    push(event: LogEvent) {
      if (closing) return;
      const frame = syslogFrame(event, target.token, 'logplex');
      buffer.push(frame, frame.length);
      schedule();
    },
    stats: () => ({ delivered, dropped: buffer.dropped, queued: buffer.length, inFlight: batch?.lines ?? 0, rejected }),
    close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS) {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        const finish = () => {
          stopped = true;
          settle = undefined;
          clearTimeout(deadline);
          clearTimeout(flushTimer);
          clearTimeout(retryTimer);
          if (sendImmediate !== undefined) clearImmediate(sendImmediate);
          request?.destroy();
          agent.destroy();
          resolve();
        };
        const deadline = setTimeout(finish, timeoutMs);
        const check = () => {
          if (batch === undefined && buffer.length === 0) finish();
        };
        settle = check;
        schedule();
        check();
      });
      return closed;
    },
  };
}
