/**
 * One proxied HTTP request, from the router's decision to the access line: pick a
 * backend, stream the request to it, stream its answer back, and turn every way that
 * can fail into the right Heroku-style code (H12, H13, H18, H19, H21, H27…).
 */
import { STATUS_CODES, request } from 'node:http';
import type { Agent, ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

import type { AccessEntry } from './access-line.js';
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
  agentFor(backend: Backend): Agent;
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
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const RESETS = new Set(['ECONNRESET', 'EPIPE']);

class ConnectTimeoutError extends Error {
  readonly code = 'PAAS_CONNECT_TIMEOUT';
}

export class ProxyExchange {
  readonly #ctx: ExchangeContext;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #head: RequestHead;
  readonly #appName: string;
  readonly #entry: { host: string; fwd: string };
  readonly #client: Socket;
  readonly #bytesAtStart: number;

  #backend: Backend | undefined;
  #proxyReq: ClientRequest | undefined;
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
  #connectTimer: NodeJS.Timeout | undefined;
  #bootTimer: NodeJS.Timeout | undefined;
  #cancelWait: (() => void) | undefined;

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
    this.#backend = backend;
    this.#connectMs = undefined;
    const proxyReq = request({
      host: backend.host,
      port: backend.port,
      method: this.#req.method,
      path: this.#req.url,
      headers: this.#head.headers,
      agent: this.#ctx.agentFor(backend),
    });
    this.#proxyReq = proxyReq;
    proxyReq.on('socket', this.#onSocket);
    proxyReq.on('response', this.#onResponse);
    proxyReq.on('error', (err) => {
      this.#onError(proxyReq, err);
    });
    if (!this.#head.hasBody) proxyReq.end();
  }

  readonly #onSocket = (socket: Socket): void => {
    if (!socket.connecting) {
      this.#connectMs = 0;
      this.#startBody();
      return;
    }
    const proxyReq = this.#proxyReq;
    this.#connectTimer = setTimeout(() => {
      proxyReq?.destroy(new ConnectTimeoutError('connect timeout'));
    }, this.#ctx.connectTimeoutMs);
    socket.once('connect', () => {
      if (proxyReq !== this.#proxyReq) return;
      clearTimeout(this.#connectTimer);
      this.#connectMs = Date.now() - this.#attemptAt;
      this.#startBody();
    });
  };

  /** The body flows only once a connection stands, so a refused one can still be retried. */
  #startBody(): void {
    if (!this.#head.hasBody || this.#bodyStarted || this.#done || this.#proxyReq === undefined) return;
    this.#bodyStarted = true;
    this.#req.pipe(this.#proxyReq);
  }

  readonly #onResponse = (proxyRes: IncomingMessage): void => {
    clearTimeout(this.#firstByteTimer);
    if (this.#done) {
      proxyRes.resume();
      return;
    }
    this.#answered = true;
    proxyRes.on('error', () => {
      // The app hung up mid-response: the client cannot get a complete answer either.
      this.#error = ROUTER_ERRORS.H18;
      this.#res.destroy();
    });
    const status = proxyRes.statusCode ?? 502;
    try {
      this.#res.writeHead(
        status,
        // Some apps send no reason phrase; the client still deserves one.
        proxyRes.statusMessage || (STATUS_CODES[status] ?? 'Unknown'),
        responseHeaders(proxyRes.rawHeaders, this.#head.requestId),
      );
    } catch (err) {
      // node refused to pass a header or status on (an invalid one): an H17, not a crash.
      this.#ctx.warn({ err, app: this.#appName, status }, 'app response not forwardable');
      this.#answered = false;
      proxyRes.destroy();
      this.#fail(ROUTER_ERRORS.H17);
      return;
    }
    proxyRes.pipe(this.#res);
  };

  #onError(proxyReq: ClientRequest, err: NodeJS.ErrnoException): void {
    clearTimeout(this.#connectTimer);
    if (this.#done || proxyReq !== this.#proxyReq) return;
    if (this.#answered) {
      this.#error = ROUTER_ERRORS.H18;
      this.#res.destroy();
      return;
    }
    const backend = this.#backend;
    const timedOut = err instanceof ConnectTimeoutError;
    if (timedOut || err.syscall === 'connect' || CONNECT_FAILURES.has(err.code ?? '')) {
      if (backend !== undefined) this.#ctx.markFailing(backend);
      if (!this.#refusedRetried) {
        // Try the next backend once: a deploy may have just stopped this one.
        this.#refusedRetried = true;
        this.dispatch();
        return;
      }
      this.#fail(timedOut ? ROUTER_ERRORS.H19 : ROUTER_ERRORS.H21);
      return;
    }
    const replayable = !this.#bodyStarted && IDEMPOTENT.has(this.#req.method ?? '') && RESETS.has(err.code ?? '');
    if (replayable && !this.#resetRetried) {
      // Mostly a pooled connection the app closed just as it was reused, or a process that was
      // closing its connections on SIGTERM: it never handled the request. Safe to send again
      // (as nginx's proxy_next_upstream does) since the method is idempotent and no body was sent.
      this.#resetRetried = true;
      this.dispatch();
      return;
    }
    // node's parser refused the app's answer (HPE_…): not HTTP, but not a hang-up either.
    this.#fail(err.code?.startsWith('HPE_') === true ? ROUTER_ERRORS.H17 : ROUTER_ERRORS.H13);
  }

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
    this.#proxyReq?.destroy();
    if (this.#head.hasBody) {
      // A body the app will not read (any more): drain it so the client's connection stays usable.
      this.#req.unpipe();
      this.#req.resume();
    }
    sendPage(this.#res, page, this.#head.accept, this.#head.requestId);
  }

  #clearTimers(): void {
    clearTimeout(this.#firstByteTimer);
    clearTimeout(this.#connectTimer);
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
      this.#proxyReq?.destroy();
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
