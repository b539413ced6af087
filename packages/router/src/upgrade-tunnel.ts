/**
 * Upgrade requests (websockets): the request head goes to the app over a plain TCP
 * connection, with the same forwarded headers as any request; the app's answer head
 * comes back with `X-Request-Id` and `Via` added; after that the two sockets are piped raw.
 * Failures before the app's answer get the same codes and pages as plain requests.
 */
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

import { VIA, type RequestHead } from './forwarded-headers.js';
import type { ExchangeContext } from './proxy-exchange.js';
import { writeRawPage } from './page-response.js';
import { decideRoute, type Backend } from './route-table.js';
import { ROUTER_ERRORS, errorPage, noSuchAppPage, type RouterError, type RouterPage } from './router-errors.js';

/** An app's answer head larger than this is not HTTP we can pass on. */
const MAX_RESPONSE_HEAD = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

export interface TunnelContext extends ExchangeContext {
  /** Keeps the pair so `close()` can end it; the router forgets it when either side closes. */
  trackTunnel(client: Duplex, backend: Socket): void;
}

export class UpgradeTunnel {
  readonly #ctx: TunnelContext;
  readonly #req: IncomingMessage;
  readonly #client: Duplex;
  readonly #bodyHead: Buffer;
  readonly #head: RequestHead;
  readonly #appName: string;
  readonly #entry: { host: string; fwd: string };
  readonly #requestHead: string;

  #backend: Backend | undefined;
  #socket: Socket | undefined;
  #sentAt = 0;
  #attemptAt = 0;
  #connectMs = 0;
  #refusedRetried = false;
  #done = false;
  /** The connect timer, then the first-byte timer. */
  #timer: NodeJS.Timeout | undefined;
  #bootTimer: NodeJS.Timeout | undefined;
  #cancelWait: (() => void) | undefined;
  #received: Buffer[] = [];
  #receivedBytes = 0;

  constructor(ctx: TunnelContext, req: IncomingMessage, client: Duplex, bodyHead: Buffer, head: RequestHead, appName: string, entry: { host: string; fwd: string }) {
    this.#ctx = ctx;
    this.#req = req;
    this.#client = client;
    this.#bodyHead = bodyHead;
    this.#head = head;
    this.#appName = appName;
    this.#entry = entry;
    let text = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`;
    for (let i = 0; i + 1 < head.headers.length; i += 2) text += `${head.headers[i] ?? ''}: ${head.headers[i + 1] ?? ''}\r\n`;
    this.#requestHead = `${text}\r\n`;
    client.once('close', this.#onClientClose);
  }

  dispatch(): void {
    if (this.#done) return;
    const app = this.#ctx.currentApp(this.#appName);
    if (app === undefined) {
      this.#answer(noSuchAppPage(this.#entry.host), undefined);
      return;
    }
    const decision = decideRoute(app);
    if (decision.kind === 'error') {
      this.#fail(ROUTER_ERRORS[decision.code]);
    } else if (decision.kind === 'wait') {
      this.#bootTimer ??= setTimeout(() => {
        this.#fail(ROUTER_ERRORS.H20);
      }, this.#ctx.bootTimeoutMs);
      this.#cancelWait = this.#ctx.waitForBackends(this.#appName, (giveUp) => {
        this.#cancelWait = undefined;
        if (giveUp) this.#fail(ROUTER_ERRORS.H20);
        else this.dispatch();
      });
    } else {
      const backend = this.#ctx.pick(app);
      if (backend === undefined) this.#fail(ROUTER_ERRORS.H14);
      else this.#connect(backend);
    }
  }

  #connect(backend: Backend): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#bootTimer);
    const now = Date.now();
    if (this.#sentAt === 0) this.#sentAt = now;
    this.#attemptAt = now;
    this.#backend = backend;
    const socket = connect({ host: backend.host, port: backend.port });
    this.#socket = socket;
    socket.setNoDelay(true);
    this.#timer = setTimeout(() => {
      socket.destroy();
      this.#onConnectFailure(backend, ROUTER_ERRORS.H19);
    }, this.#ctx.connectTimeoutMs);
    socket.once('connect', () => {
      clearTimeout(this.#timer);
      this.#connectMs = Date.now() - this.#attemptAt;
      this.#timer = setTimeout(() => {
        this.#fail(ROUTER_ERRORS.H12);
      }, Math.max(1, this.#ctx.firstByteTimeoutMs - (Date.now() - this.#sentAt)));
      socket.write(this.#requestHead);
      if (this.#bodyHead.length > 0) socket.write(this.#bodyHead);
      this.#client.pipe(socket);
    });
    socket.on('data', this.#onData);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (socket !== this.#socket || this.#done) return;
      if (socket.connecting || err.code === 'ECONNREFUSED') this.#onConnectFailure(backend, ROUTER_ERRORS.H21);
      else this.#fail(ROUTER_ERRORS.H13);
    });
    socket.on('close', this.#onEarlyClose);
  }

  readonly #onEarlyClose = (): void => {
    // Closed before a whole answer head: an H13, unless this attempt was already given up.
    if (this.#socket !== undefined && this.#socket.destroyed && !this.#done) this.#fail(ROUTER_ERRORS.H13);
  };

  #onConnectFailure(backend: Backend, error: RouterError): void {
    if (this.#done) return;
    clearTimeout(this.#timer);
    this.#ctx.markFailing(backend);
    this.#socket = undefined;
    if (this.#refusedRetried) {
      this.#fail(error);
      return;
    }
    this.#refusedRetried = true;
    this.dispatch();
  }

  /** Collects the app's answer head, then hands both sockets over to raw piping. */
  readonly #onData = (chunk: Buffer): void => {
    this.#received.push(chunk);
    this.#receivedBytes += chunk.length;
    const data = this.#received.length === 1 ? chunk : Buffer.concat(this.#received);
    this.#received = [data];
    const end = data.indexOf(HEAD_END);
    if (end === -1) {
      if (this.#receivedBytes > MAX_RESPONSE_HEAD) this.#fail(ROUTER_ERRORS.H13);
      return;
    }
    const socket = this.#socket;
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(data.toString('latin1', 0, Math.min(end, 64)))?.[1];
    if (socket === undefined || status === undefined) {
      this.#fail(ROUTER_ERRORS.H13);
      return;
    }
    this.#done = true;
    clearTimeout(this.#timer);
    socket.off('data', this.#onData);
    socket.off('close', this.#onEarlyClose);
    const lineEnd = data.indexOf('\r\n');
    const head = Buffer.concat([
      data.subarray(0, lineEnd + 2),
      Buffer.from(`X-Request-Id: ${this.#head.requestId}\r\nVia: ${VIA}\r\n`, 'latin1'),
      data.subarray(lineEnd + 2, end + 4),
    ]);
    this.#client.write(head);
    const rest = data.subarray(end + 4);
    if (rest.length > 0) this.#client.write(rest);
    socket.pipe(this.#client);
    socket.on('close', () => this.#client.destroy());
    this.#ctx.trackTunnel(this.#client, socket);
    this.#log(Number(status), head.length, undefined);
  };

  #fail(error: RouterError): void {
    this.#answer(errorPage(error), error);
  }

  #answer(page: RouterPage, error: RouterError | undefined): void {
    if (this.#done) return;
    this.#done = true;
    this.#stopWaiting();
    this.#client.unpipe();
    this.#socket?.destroy();
    const bytes = writeRawPage(this.#client, page, this.#head.accept, this.#head.requestId);
    if (page.status !== 404) this.#log(page.status, bytes, error);
  }

  readonly #onClientClose = (): void => {
    if (this.#done) {
      this.#socket?.destroy();
      return;
    }
    this.#done = true;
    this.#stopWaiting();
    this.#socket?.destroy();
    this.#log(499, 0, ROUTER_ERRORS.H27);
  };

  #stopWaiting(): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#bootTimer);
    this.#cancelWait?.();
    this.#cancelWait = undefined;
  }

  #log(status: number, bytes: number, error: RouterError | undefined): void {
    const reached = this.#sentAt !== 0 && this.#backend !== undefined;
    this.#ctx.log(this.#appName, {
      method: this.#req.method ?? '',
      path: this.#req.url ?? '',
      host: this.#entry.host,
      requestId: this.#head.requestId,
      fwd: this.#entry.fwd,
      ...(reached ? { dyno: this.#backend?.name ?? '', connectMs: this.#connectMs, serviceMs: Date.now() - this.#sentAt } : {}),
      status,
      bytes,
      ...(error === undefined ? {} : { error: { code: error.code, desc: error.desc } }),
    });
  }
}
