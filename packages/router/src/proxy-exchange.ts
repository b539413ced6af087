/**
 * One proxied HTTP request, from the router's decision to the access line: pick a
 * backend, stream the request to it, stream its answer back, and turn every way that
 * can fail into the right Heroku-style code (H12, H13, H18, H19, H21, H27…).
 *
 * The exchange is itself the upstream client's handler (undici's dispatch callbacks:
 * `onConnect`, `onHeaders`, `onData`, `onComplete`, `onError`), so a proxied request costs
 * no response stream, no parsed header object and no closure per request. undici 7 calls
 * these natively; its newer controller API would parse every response's headers into an
 * object first, which the router never needs. (One file past the usual length: the exchange
 * is one state machine, and its callbacks share the private state that decides every code.)
 */
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import errors from 'undici/lib/core/errors.js';

import type { AccessEntry } from './access-line.js';
import type { BackendDispatcher } from './backend-pool.js';
import type { BootWaiter } from './boot-waits.js';
import { responseHeaders, type RequestHead } from './forwarded-headers.js';
import { sendPage } from './page-response.js';
import { decideRoute, type AppRoute, type Backend } from './route-table.js';
import { ROUTER_ERRORS, errorPage, noSuchAppPage, type RouterError, type RouterPage } from './router-errors.js';

/** What an exchange needs from the router that owns it. */
export interface ExchangeContext {
  readonly connectTimeoutMs: number;
  readonly firstByteTimeoutMs: number;
  readonly bootTimeoutMs: number;
  currentApp(name: string): AppRoute | undefined;
  /** Round robin over the app's backends, skipping those marked failing. */
  pick(app: AppRoute): Backend | undefined;
  /** The backend's keep-alive connection pool. */
  dispatcherFor(backend: Backend): BackendDispatcher;
  markFailing(backend: Backend): void;
  /**
   * Calls `ready(false)` once the app's table entry changes, or `ready(true)` when the
   * router closes; returns a cancel function.
   */
  waitForBackends(name: string, ready: BootWaiter): () => void;
  log(app: string, entry: AccessEntry): void;
  /** For the operator: something the router did not expect (pino's `warn`). */
  warn(fields: object, message: string): void;
}

/** Methods safe to send twice: such a request whose connection was reset before any answer is retried once. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);
/** undici says `UND_ERR_SOCKET` ("other side closed") where node said ECONNRESET ("socket hang up"). */
const RESETS = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** Why the router gave up on an attempt it had started: passed to undici's abort, never shown. */
class ExchangeOver extends Error {
  readonly code = 'PAAS_EXCHANGE_OVER';
}

export class ProxyExchange implements Dispatcher.DispatchHandler {
  readonly #ctx: ExchangeContext;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #head: RequestHead;
  readonly #appName: string;
  readonly #entry: { host: string; fwd: string };
  readonly #client: Socket;
  readonly #bytesAtStart: number;

  #backend: Backend | undefined;
  /** Ends the attempt under way (undici gives it once the attempt has a connection). */
  #abort: ((err?: Error) => void) | undefined;
  /** Counts attempts, so a callback of an attempt given up cannot act on the next one. */
  #attempt = 0;
  #sentAt = 0;
  #attemptAt = 0;
  #connectMs: number | undefined;
  #bodyStarted = false;
  #refusedRetried = false;
  #resetRetried = false;
  /** The client has its answer's head (from the app or from the router). */
  #answered = false;
  /** Nothing more to do but log: the router answered, or the client left. */
  #done = false;
  #error: RouterError | undefined;
  #firstByteTimer: NodeJS.Timeout | undefined;
  #bootTimer: NodeJS.Timeout | undefined;
  #cancelWait: (() => void) | undefined;
  /** undici's resume, while the client's socket is full and the app's answer waits. */
  #resume: (() => void) | undefined;

  constructor(ctx: ExchangeContext, req: IncomingMessage, res: ServerResponse, head: RequestHead, appName: string, entry: { host: string; fwd: string }) {
    this.#ctx = ctx;
    this.#req = req;
    this.#res = res;
    this.#head = head;
    this.#appName = appName;
    this.#entry = entry;
    this.#client = req.socket;
    this.#bytesAtStart = req.socket.bytesWritten;
    res.on('close', this.#onClose);
  }

  /** Decides what to do with the request under the current table; runs again on a retry. */
  dispatch(): void {
    const app = this.#ctx.currentApp(this.#appName);
    if (app === undefined) {
      this.#answer(noSuchAppPage(this.#entry.host));
      return;
    }
    const decision = decideRoute(app);
    if (decision.kind === 'error') {
      this.#fail(ROUTER_ERRORS[decision.code]);
    } else if (decision.kind === 'wait') {
      this.#waitForBoot();
    } else {
      const backend = this.#ctx.pick(app);
      if (backend === undefined) this.#fail(ROUTER_ERRORS.H14);
      else this.#send(backend);
    }
  }

  #waitForBoot(): void {
    this.#bootTimer ??= setTimeout(() => {
      this.#fail(ROUTER_ERRORS.H20);
    }, this.#ctx.bootTimeoutMs);
    this.#cancelWait = this.#ctx.waitForBackends(this.#appName, (giveUp) => {
      this.#cancelWait = undefined;
      if (giveUp) this.#fail(ROUTER_ERRORS.H20);
      else if (!this.#done) this.dispatch();
    });
  }

  #send(backend: Backend): void {
    const now = Date.now();
    if (this.#sentAt === 0) {
      this.#sentAt = now;
      this.#firstByteTimer = setTimeout(this.#onFirstByteTimeout, this.#ctx.firstByteTimeoutMs);
    }
    clearTimeout(this.#bootTimer);
    this.#attemptAt = now;
    this.#attempt += 1;
    this.#backend = backend;
    this.#connectMs = undefined;
    this.#abort = undefined;
    this.#ctx.dispatcherFor(backend).dispatch(
      {
        method: this.#req.method ?? 'GET',
        path: this.#req.url ?? '/',
        headers: this.#head.headers,
        // Read only once the attempt has a connection (undici reads a body as it writes the
        // request), so a refused one can still be retried with the body untouched.
        body: this.#head.hasBody ? this.#bodyStream() : null,
      },
      this,
    );
  }

  #bodyStream(): Readable {
    const body = Readable.from(this.#body(this.#attempt), { objectMode: false });
    body.on('error', () => {
      // undici reports a body's error through onError while the attempt lasts; after it (the app
      // answered before reading everything, then the client hung up) there is nobody to tell.
    });
    return body;
  }

  /**
   * The client's body while this attempt is the exchange's. The client's request is never
   * destroyed with the attempt (its connection may still carry the router's error page),
   * and a body the app will not read any more is drained.
   */
  async *#body(attempt: number): AsyncGenerator<Buffer> {
    this.#bodyStarted = true;
    try {
      for await (const chunk of this.#req.iterator({ destroyOnReturn: false })) {
        if (this.#done || attempt !== this.#attempt) return;
        yield chunk as Buffer;
      }
    } finally {
      // The iterator held the body paused: drained once nobody will forward it.
      if (this.#done) this.#req.resume();
    }
  }

  // The upstream client's callbacks (undici's dispatch handler). Each belongs to the attempt
  // under way: undici calls nothing more for an attempt after its onError or onComplete.

  /** The attempt has a connection and its request is about to be written. */
  onConnect(abort: (err?: Error) => void): void {
    if (this.#done) {
      // The client left, or the router answered, while the connection was being made.
      abort(new ExchangeOver('exchange over'));
      return;
    }
    this.#abort = abort;
    this.#connectMs = Date.now() - this.#attemptAt;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    // 1xx informational answers are the app's and the router's business only, as with node's client.
    if (statusCode < 200) return true;
    clearTimeout(this.#firstByteTimer);
    if (this.#done) return false;
    this.#answered = true;
    this.#resume = resume;
    try {
      this.#res.writeHead(
        statusCode,
        // Some apps send no reason phrase; the client still deserves one.
        statusText || (STATUS_CODES[statusCode] ?? 'Unknown'),
        responseHeaders(rawHeaders, this.#head.requestId),
      );
    } catch (err) {
      // node refused to pass a header or status on (an invalid one): an H17, not a crash.
      this.#ctx.warn({ err, app: this.#appName, status: statusCode }, 'app response not forwardable');
      this.#answered = false;
      this.#fail(ROUTER_ERRORS.H17);
      return false;
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#done) return false;
    if (this.#res.write(chunk)) return true;
    // The client reads slower than the app writes: undici stops reading from the app until it drains.
    this.#res.once('drain', this.#onDrain);
    return false;
  }

  onComplete(): void {
    this.#abort = undefined;
    if (!this.#done) this.#res.end();
  }

  onError(err: Error): void {
    this.#abort = undefined;
    if (this.#done) return;
    if (this.#answered) {
      // The app hung up mid-response: the client cannot get a complete answer either.
      this.#error = ROUTER_ERRORS.H18;
      this.#res.destroy();
      return;
    }
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const backend = this.#backend;
    if ((err as NodeJS.ErrnoException).syscall === 'connect' || CONNECT_FAILURES.has(code)) {
      if (backend !== undefined) this.#ctx.markFailing(backend);
      if (!this.#refusedRetried) {
        // Try the next backend once: a deploy may have just stopped this one.
        this.#refusedRetried = true;
        this.dispatch();
        return;
      }
      this.#fail(code === 'UND_ERR_CONNECT_TIMEOUT' ? ROUTER_ERRORS.H19 : ROUTER_ERRORS.H21);
      return;
    }
    const replayable = !this.#bodyStarted && IDEMPOTENT.has(this.#req.method ?? '') && RESETS.has(code);
    if (replayable && !this.#resetRetried) {
      // Mostly a pooled connection the app closed just as it was reused, or a process that was
      // closing its connections on SIGTERM: it never handled the request. Safe to send again
      // (as nginx's proxy_next_upstream does) since the method is idempotent and no body was sent.
      this.#resetRetried = true;
      this.dispatch();
      return;
    }
    // The parser refused the app's answer: not HTTP, but not a hang-up either.
    this.#fail(err instanceof errors.HTTPParserError || code.startsWith('HPE_') ? ROUTER_ERRORS.H17 : ROUTER_ERRORS.H13);
  }

  readonly #onDrain = (): void => {
    const resume = this.#resume;
    if (!this.#done) resume?.();
  };

  readonly #onFirstByteTimeout = (): void => {
    if (this.#answered || this.#done) return;
    this.#fail(ROUTER_ERRORS.H12);
  };

  #fail(error: RouterError): void {
    this.#error = error;
    this.#answer(errorPage(error));
  }

  #answer(page: RouterPage): void {
    if (this.#done) return;
    this.#done = true;
    this.#answered = true;
    this.#clearTimers();
    this.#stopAttempt();
    if (this.#head.hasBody) {
      // A body the app will not read (any more): drain it so the client's connection stays usable.
      this.#req.resume();
    }
    sendPage(this.#res, page, this.#head.accept, this.#head.requestId);
  }

  /** Ends the attempt under way, if any; one still connecting is ended by `onConnect`. */
  #stopAttempt(): void {
    const abort = this.#abort;
    this.#abort = undefined;
    abort?.(new ExchangeOver('exchange over'));
  }

  #clearTimers(): void {
    clearTimeout(this.#firstByteTimer);
    clearTimeout(this.#bootTimer);
    this.#cancelWait?.();
    this.#cancelWait = undefined;
  }

  readonly #onClose = (): void => {
    const completed = this.#res.writableFinished;
    if (!completed && !this.#done) {
      // The client left first: stop the app's side too.
      this.#done = true;
      this.#clearTimers();
      this.#stopAttempt();
      if (!this.#answered) this.#error = ROUTER_ERRORS.H27;
    } else {
      this.#clearTimers();
    }
    this.#log();
  };

  #log(): void {
    const error = this.#error;
    const reached = this.#sentAt !== 0;
    this.#ctx.log(this.#appName, {
      method: this.#req.method ?? '',
      path: this.#req.url ?? '',
      host: this.#entry.host,
      requestId: this.#head.requestId,
      fwd: this.#entry.fwd,
      ...(reached && this.#backend !== undefined ? { dyno: this.#backend.name } : {}),
      ...(reached ? { connectMs: this.#connectMs ?? 0, serviceMs: Date.now() - this.#sentAt } : {}),
      status: error?.code === 'H27' ? 499 : this.#res.statusCode,
      bytes: this.#client.bytesWritten - this.#bytesAtStart,
      ...(error === undefined ? {} : { error: { code: error.code, desc: error.desc } }),
    });
  }
}
