/**
 * The router's fast path: one client connection read and written as raw bytes. A plain
 * request for an app with web processes (nearly all traffic) is read here, its head
 * rewritten with the router's headers and written to a pooled connection to a web process;
 * the answer's head is rewritten the same way and its body passed through byte for byte,
 * framed by its Content-Length or its chunks. No request or response objects, no header
 * objects, no re-chunking: profiled under wrk, node's HTTP server and client objects were
 * most of the router's CPU per request.
 *
 * Anything else (an upgrade, `Expect`, a chunked request body, HTTP/1.0, a malformed or
 * unusual head, an unknown host, a page or redirect the router answers itself) is handed
 * with the bytes read so far to node's HTTP server and the full router (`router.ts`),
 * which then serves that connection to its end. The codes, pages and access lines are
 * those of `proxy-exchange.ts`. (One file past the usual length: the connection is one
 * state machine, and its events share the state that decides every code.)
 */
import type { Socket } from 'node:net';

import type { AccessEntry } from './access-line.js';
import { VIA, addForwardedHeaders, readRequestHead, type RequestHead } from './forwarded-headers.js';
import { ChunkedBody, HEAD_END, MAX_REQUEST_HEAD, MAX_RESPONSE_HEAD, WireError, parseRequestHead, parseResponseHead, type WireResponse } from './http1-wire.js';
import type { ExchangeContext } from './proxy-exchange.js';
import { CONNECT_TIMEOUT, type UpstreamConnection, type UpstreamPool, type UpstreamUser } from './raw-upstream.js';
import { decideRoute, type AppRoute, type Backend } from './route-table.js';
import { rawPageText } from './page-response.js';
import { ROUTER_ERRORS, errorPage, noSuchAppPage, type RouterError, type RouterPage } from './router-errors.js';

/** What a fast connection needs from the router that owns it. */
export interface FastRoutes {
  readonly ctx: ExchangeContext;
  readonly upstream: UpstreamPool;
  /** The app to proxy this request to here, or undefined to leave it to the full router. */
  fastApp(head: RequestHead, target: string, secure: boolean): { app: AppRoute; host: string } | undefined;
  /**
   * Gives the connection, with the bytes read and not used, to node's HTTP server; `ended`
   * when the client's end of it has already been read.
   */
  handOver(socket: Socket, buffered: Buffer | undefined, ended: boolean): void;
  /** The connection closed. */
  forget(connection: FastConnection): void;
  /** Idle time between requests before the router closes a client's connection (node's `keepAliveTimeout`). */
  readonly keepAliveTimeoutMs: number;
  /** Time to receive a whole request head once it began (node's `headersTimeout`). */
  readonly headersTimeoutMs: number;
  /** The router is closing: answers say `Connection: close`. */
  readonly closing: () => boolean;
}

/** Methods safe to send twice: such a request whose connection was reset before any answer is retried once. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
/** Bytes of pipelined requests held while one is under way before the client is made to wait. */
const MAX_PIPELINED = 64 * 1024;
/** The app's own request id header is replaced by the router's. */
const APP_DROPS: ReadonlySet<string> = new Set(['x-request-id']);

let dateSecond = 0;
let dateText = '';
/** The `Date` header value, made once a second (as node's server does). */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

function concat(a: Buffer | undefined, b: Buffer): Buffer {
  return a === undefined || a.length === 0 ? b : Buffer.concat([a, b]);
}

export class FastConnection implements UpstreamUser {
  readonly #socket: Socket;
  readonly #routes: FastRoutes;
  readonly #secure: boolean;
  /** Bytes read and not yet used: the next request's head, or pipelined requests. */
  #buf: Buffer | undefined;
  /** A request is under way (from its head to its access line). */
  #busy = false;
  #gone = false;
  /** The client's connection ends after the answer under way. */
  #closeAfter = false;
  #clientPaused = false;
  #upstreamPaused = false;
  /** The router has ended its side of the connection. */
  #ending = false;
  /** The client has ended its side (half-closed). */
  #clientEnded = false;
  /** Writes to the client are queued (`#out`) until the read of the app's answer is handled. */
  #batching = false;
  #out: (Buffer | string)[] = [];
  #outBytes = 0;
  /** When the connection became idle (0 while a request is under way), for the router's sweep. */
  #idleSince = Date.now();
  /**
   * When the head now being received began arriving (0 if none is). A new connection counts as
   * one (node's server gives a silent new connection its headers timeout, not the keep-alive one).
   */
  #headSince = Date.now();

  // The request under way.
  #method = '';
  #target = '';
  #head: RequestHead | undefined;
  #appName = '';
  #host = '';
  #fwd = '';
  #requestText = '';
  #bodyLeft = 0;
  #pendingBody: Buffer[] = [];
  #pendingBytes = 0;
  #bodyStarted = false;
  #backend: Backend | undefined;
  #upstream: UpstreamConnection | undefined;
  #waiting = false;
  #attemptAt = 0;
  #sentAt = 0;
  #connectMs: number | undefined;
  #refusedRetried = false;
  #resetRetried = false;
  /** Nothing more to do but finish writing and log: the answer is decided or the client left. */
  #done = false;
  /** The client has the answer's head. */
  #answered = false;
  #status = 0;
  #bytesOut = 0;
  #error: RouterError | undefined;
  #firstByteTimer: NodeJS.Timeout | undefined;
  #responseBuf: Buffer | undefined;
  #response: WireResponse | undefined;
  #responseLeft = 0;
  #chunks: ChunkedBody | undefined;
  /** The app sent bytes past its answer: its connection is not reused. */
  #upstreamDirty = false;

  constructor(socket: Socket, routes: FastRoutes, secure: boolean) {
    this.#socket = socket;
    this.#routes = routes;
    this.#secure = secure;
    socket.setNoDelay(true);
    socket.on('data', this.#onClientData);
    socket.on('drain', this.#onClientDrain);
    socket.on('end', this.#onClientEnd);
    socket.on('error', this.#onClientError);
    socket.on('close', this.#onClientClose);
  }

  /**
   * Called by the router's sweep about once a second: ends a connection idle longer than the
   * keep-alive timeout, or whose head has been arriving longer than the headers timeout (a
   * client that slow is not listening; node would answer 408). Per-request socket timers cost
   * more than one sweep for all connections.
   */
  sweep(now: number): void {
    if (this.#busy || this.#gone) return;
    const head = this.#headSince;
    if (head !== 0 ? now - head > this.#routes.headersTimeoutMs : now - this.#idleSince > this.#routes.keepAliveTimeoutMs) this.#socket.destroy();
  }

  /** The router is closing: an idle connection ends now, a busy one after its answer. */
  closeWhenIdle(): void {
    this.#closeAfter = true;
    if (!this.#busy && (this.#buf === undefined || this.#buf.length === 0)) this.#end();
  }

  /**
   * Ends a connection whose answer is incomplete: what was forwarded goes out, then the
   * connection closes, so the client sees the answer cut short (and the line is logged on close).
   */
  #cutShort(): void {
    this.#flush();
    this.#ending = true;
    const socket = this.#socket;
    socket.once('finish', () => socket.destroy());
    socket.end();
  }

  #end(): void {
    this.#ending = true;
    this.#socket.end();
  }

  // The client's side.

  readonly #onClientData = (chunk: Buffer): void => {
    // Ending: whatever else the client sends (the rest of a body the app did not wait for) is dropped.
    if (this.#ending) return;
    if (!this.#busy) {
      this.#buf = concat(this.#buf, chunk);
      this.#readHead();
      return;
    }
    let rest = chunk;
    if (this.#bodyLeft > 0) {
      const part = rest.length <= this.#bodyLeft ? rest : rest.subarray(0, this.#bodyLeft);
      this.#bodyLeft -= part.length;
      rest = rest.length === part.length ? Buffer.alloc(0) : rest.subarray(part.length);
      this.#forwardBody(part);
    }
    if (rest.length > 0) {
      this.#buf = concat(this.#buf, rest);
      if (this.#buf.length > MAX_PIPELINED) this.#pauseClient();
    }
  };

  readonly #onClientDrain = (): void => {
    if (this.#upstreamPaused) {
      this.#upstreamPaused = false;
      this.#upstream?.socket.resume();
    }
  };

  readonly #onClientEnd = (): void => {
    // No more bytes: the requests already read are still answered, then the connection ends.
    this.#clientEnded = true;
    if (!this.#busy) this.#readHead();
  };

  readonly #onClientError = (): void => {
    // A reset or a TLS failure: 'close' follows, and the request under way ends with it.
  };

  readonly #onClientClose = (): void => {
    this.#gone = true;
    if (this.#busy) {
      if (!this.#done) {
        // The client left first: stop the app's side too.
        this.#done = true;
        this.#clearTimer();
        this.#stopAttempt();
        if (!this.#answered) this.#error = ROUTER_ERRORS.H27;
      }
      // Also the end of an answer cut short (H18): the line is logged once the connection is gone.
      this.#busy = false;
      this.#log();
    }
    this.#routes.forget(this);
  };

  #pauseClient(): void {
    if (this.#clientPaused) return;
    this.#clientPaused = true;
    this.#socket.pause();
  }

  #resumeClient(): void {
    if (!this.#clientPaused) return;
    this.#clientPaused = false;
    this.#socket.resume();
  }

  /** Reads the next request's head from the buffer, if it is all there. */
  #readHead(): void {
    const buf = this.#buf;
    if (buf === undefined || buf.length === 0) {
      this.#buf = undefined;
      this.#headSince = 0;
      if (this.#closeAfter || this.#clientEnded) this.#end();
      return;
    }
    const end = buf.indexOf(HEAD_END);
    if (end === -1) {
      // A head too long is node's to refuse (431); one the client's end cut short will never be whole.
      if (this.#clientEnded) this.#end();
      else if (buf.length > MAX_REQUEST_HEAD) this.#handOver();
      else if (this.#headSince === 0) this.#headSince = Date.now();
      return;
    }
    const wire = parseRequestHead(buf, end);
    if (wire === undefined) {
      this.#handOver();
      return;
    }
    const head = readRequestHead(wire.rawHeaders);
    const admitted = this.#routes.fastApp(head, wire.target, this.#secure);
    if (admitted === undefined) {
      this.#handOver();
      return;
    }
    const bodyStart = end + HEAD_END.length;
    const bodyEnd = Math.min(buf.length, bodyStart + wire.contentLength);
    this.#buf = bodyEnd < buf.length ? buf.subarray(bodyEnd) : undefined;
    this.#headSince = 0;
    this.#begin(wire.method, wire.target, head, admitted.app.name, admitted.host, wire.contentLength, bodyEnd > bodyStart ? buf.subarray(bodyStart, bodyEnd) : undefined);
    if (wire.close) this.#closeAfter = true;
    this.#dispatch(admitted.app);
  }

  /** node's HTTP server takes the connection from here on, bytes read included. */
  #handOver(): void {
    const socket = this.#socket;
    socket.removeListener('data', this.#onClientData);
    socket.removeListener('drain', this.#onClientDrain);
    socket.removeListener('end', this.#onClientEnd);
    socket.removeListener('error', this.#onClientError);
    socket.removeListener('close', this.#onClientClose);
    const buffered = this.#buf;
    this.#buf = undefined;
    this.#routes.forget(this);
    this.#routes.handOver(socket, buffered, this.#clientEnded);
  }

  #begin(method: string, target: string, head: RequestHead, appName: string, host: string, contentLength: number, body: Buffer | undefined): void {
    this.#busy = true;
    this.#done = false;
    this.#answered = false;
    this.#method = method;
    this.#target = target;
    this.#head = head;
    this.#appName = appName;
    this.#host = host;
    const socket = this.#socket;
    const client = socket.remoteAddress ?? '';
    this.#fwd = addForwardedHeaders(head, client.startsWith('::ffff:') ? client.slice(7) : client, this.#secure ? 'https' : 'http', socket.localPort ?? 0, Date.now());
    let text = `${method} ${target} HTTP/1.1\r\n`;
    const headers = head.headers;
    for (let i = 0; i + 1 < headers.length; i += 2) text += `${headers[i] as string}: ${headers[i + 1] as string}\r\n`;
    this.#requestText = `${text}\r\n`;
    this.#bodyLeft = contentLength - (body?.length ?? 0);
    this.#pendingBody = body === undefined ? [] : [body];
    this.#pendingBytes = body?.length ?? 0;
    this.#bodyStarted = false;
    this.#backend = undefined;
    this.#upstream = undefined;
    this.#sentAt = 0;
    this.#connectMs = undefined;
    this.#refusedRetried = false;
    this.#resetRetried = false;
    this.#status = 0;
    this.#bytesOut = 0;
    this.#error = undefined;
    this.#responseBuf = undefined;
    this.#response = undefined;
    this.#chunks = undefined;
    this.#upstreamDirty = false;
  }

  #forwardBody(part: Buffer): void {
    if (this.#done) return;
    const upstream = this.#upstream;
    if (upstream === undefined) {
      // Held until the connection to the app is made; the client waits once a little is held.
      this.#pendingBody.push(part);
      this.#pendingBytes += part.length;
      if (this.#pendingBytes > MAX_PIPELINED) this.#pauseClient();
      return;
    }
    if (!upstream.socket.write(part)) this.#pauseClient();
  }

  /** Decides what to do with the request under the current table; runs again on a retry. */
  #dispatch(admitted?: AppRoute): void {
    const app = admitted ?? this.#routes.ctx.currentApp(this.#appName);
    if (app === undefined) {
      this.#answer(noSuchAppPage(this.#host));
      return;
    }
    const decision = decideRoute(app);
    if (decision.kind === 'error') {
      this.#fail(ROUTER_ERRORS[decision.code]);
      return;
    }
    const backend = decision.kind === 'proxy' ? this.#routes.ctx.pick(app) : undefined;
    if (backend === undefined) {
      // A retry that found the app starting over: the process it tried is gone.
      this.#fail(decision.kind === 'wait' ? ROUTER_ERRORS.H21 : ROUTER_ERRORS.H14);
      return;
    }
    const now = Date.now();
    if (this.#sentAt === 0) {
      this.#sentAt = now;
      this.#firstByteTimer = setTimeout(this.#onFirstByteTimeout, this.#routes.ctx.firstByteTimeoutMs);
    }
    this.#attemptAt = now;
    this.#backend = backend;
    this.#connectMs = undefined;
    this.#waiting = true;
    this.#routes.upstream.acquire(backend, this);
  }

  // The app's side (the pool's callbacks).

  onUpstreamReady(connection: UpstreamConnection, connectMs: number): void {
    this.#waiting = false;
    if (this.#done) {
      // The client left, or the router answered, while the connection was being made: unused, so kept.
      connection.release(true);
      return;
    }
    this.#upstream = connection;
    this.#connectMs = connectMs === 0 ? Date.now() - this.#attemptAt : connectMs;
    const socket = connection.socket;
    let flowing = true;
    if (this.#pendingBody.length === 0) {
      // Most requests: the head alone, one write (corking only adds work for a single write).
      flowing = socket.write(this.#requestText, 'latin1');
    } else {
      socket.cork();
      socket.write(this.#requestText, 'latin1');
      for (const part of this.#pendingBody) flowing = socket.write(part);
      socket.uncork();
    }
    if (this.#pendingBody.length > 0 || this.#bodyLeft > 0) this.#bodyStarted = true;
    this.#pendingBody = [];
    this.#pendingBytes = 0;
    if (!flowing && this.#bodyLeft > 0) this.#pauseClient();
    else this.#resumeClient();
  }

  onUpstreamFailed(err: NodeJS.ErrnoException): void {
    this.#waiting = false;
    if (this.#done) return;
    const backend = this.#backend;
    if (backend !== undefined) this.#routes.ctx.markFailing(backend);
    if (!this.#refusedRetried) {
      // Try the next backend once: a deploy may have just stopped this one.
      this.#refusedRetried = true;
      this.#dispatch();
      return;
    }
    this.#fail(err.code === CONNECT_TIMEOUT ? ROUTER_ERRORS.H19 : ROUTER_ERRORS.H21);
  }

  onUpstreamDrain(): void {
    this.#resumeClient();
  }

  onUpstreamData(chunk: Buffer): void {
    if (this.#done) return;
    // One write to the client for whatever this read brings (the head and the body, mostly),
    // in one buffer: each write is a system call, and a corked socket's writev costs more in node.
    this.#batching = true;
    if (this.#response === undefined) this.#readResponseHead(chunk);
    else this.#forwardResponse(chunk);
    this.#batching = false;
    this.#flush();
  }

  onUpstreamClosed(): void {
    const connection = this.#upstream;
    this.#upstream = undefined;
    connection?.release(false);
    if (this.#done) return;
    const response = this.#response;
    if (response !== undefined && response.framing === 'close') {
      this.#complete();
      return;
    }
    if (this.#answered) {
      // The app hung up mid-response: the client cannot get a complete answer either.
      this.#error = ROUTER_ERRORS.H18;
      this.#done = true;
      this.#clearTimer();
      this.#cutShort();
      return;
    }
    const replayable = !this.#bodyStarted && IDEMPOTENT.has(this.#method);
    if (replayable && !this.#resetRetried) {
      // Mostly a pooled connection the app closed just as it was reused, or a process that was
      // closing its connections on SIGTERM: it never handled the request. Safe to send again.
      this.#resetRetried = true;
      this.#responseBuf = undefined;
      this.#dispatch();
      return;
    }
    this.#fail(ROUTER_ERRORS.H13);
  }

  #readResponseHead(chunk: Buffer): void {
    const buf = concat(this.#responseBuf, chunk);
    const end = buf.indexOf(HEAD_END);
    if (end === -1) {
      // Kept for the next read: a copy, as the read buffer is reused.
      this.#responseBuf = buf === chunk ? Buffer.from(chunk) : buf;
      if (buf.length > MAX_RESPONSE_HEAD) this.#badResponse(new WireError('response head too large'));
      return;
    }
    let response: WireResponse;
    try {
      response = parseResponseHead(buf, end, this.#method, APP_DROPS, httpDate);
    } catch (err) {
      this.#badResponse(err as Error);
      return;
    }
    const rest = buf.subarray(end + HEAD_END.length);
    this.#responseBuf = undefined;
    if (response.status < 200) {
      // 1xx informational answers are the app's and the router's business only; 101 was never asked for.
      if (response.status === 101) this.#badResponse(new WireError('101 Switching Protocols to a request that did not ask'));
      else if (rest.length > 0) this.#readResponseHead(rest);
      return;
    }
    clearTimeout(this.#firstByteTimer);
    this.#firstByteTimer = undefined;
    this.#response = response;
    this.#responseLeft = response.contentLength;
    if (response.framing === 'chunked') this.#chunks = new ChunkedBody();
    this.#writeResponseHead(response);
    if (response.framing === 'none') {
      if (rest.length > 0) this.#upstreamDirty = true;
      this.#complete();
    } else if (rest.length > 0) {
      this.#forwardResponse(rest);
    }
  }

  #badResponse(err: Error): void {
    this.#routes.ctx.warn({ err, app: this.#appName }, 'app response not forwardable');
    this.#fail(ROUTER_ERRORS.H17);
  }

  #writeResponseHead(response: WireResponse): void {
    if (this.#bodyLeft > 0 || this.#routes.closing() || response.framing === 'close') this.#closeAfter = true;
    this.#answered = true;
    this.#status = response.status;
    this.#write(response.forwardHead);
    this.#write(`X-Request-Id: ${(this.#head as RequestHead).requestId}\r\nVia: ${VIA}\r\n${this.#closeAfter ? 'Connection: close\r\n' : ''}\r\n`);
  }

  #forwardResponse(chunk: Buffer): void {
    const response = this.#response as WireResponse;
    if (response.framing === 'close') {
      this.#write(chunk);
      return;
    }
    if (response.framing === 'length') {
      const take = Math.min(this.#responseLeft, chunk.length);
      this.#write(take === chunk.length ? chunk : chunk.subarray(0, take));
      this.#responseLeft -= take;
      if (take < chunk.length) this.#upstreamDirty = true;
      if (this.#responseLeft === 0) this.#complete();
      return;
    }
    let end: number;
    try {
      end = (this.#chunks as ChunkedBody).feed(chunk);
    } catch (err) {
      // The head is gone already: the client cannot get a complete answer.
      this.#routes.ctx.warn({ err, app: this.#appName }, 'app response not forwardable');
      this.#error = ROUTER_ERRORS.H18;
      this.#done = true;
      this.#stopAttempt();
      this.#cutShort();
      return;
    }
    if (end === -1) {
      this.#write(chunk);
      return;
    }
    this.#write(end === chunk.length ? chunk : chunk.subarray(0, end));
    if (end < chunk.length) this.#upstreamDirty = true;
    this.#complete();
  }

  /** Bytes for the client: queued while a read of the app's answer is being handled, else sent. */
  #write(bytes: Buffer | string): void {
    this.#bytesOut += bytes.length;
    if (this.#batching) {
      this.#out.push(bytes);
      this.#outBytes += bytes.length;
      return;
    }
    this.#send(bytes);
  }

  /** Sends what is queued, as one buffer. Strings are response heads, latin1 (one byte a character). */
  #flush(): void {
    const out = this.#out;
    if (out.length === 0) return;
    const total = this.#outBytes;
    this.#out = [];
    this.#outBytes = 0;
    if (out.length === 1) {
      const only = out[0] as Buffer | string;
      // The app's bytes are a view of the shared read buffer; a write may keep its buffer until sent.
      this.#send(typeof only === 'string' ? only : Buffer.from(only));
      return;
    }
    const joined = Buffer.allocUnsafe(total);
    let at = 0;
    for (const part of out) at += typeof part === 'string' ? joined.write(part, at, 'latin1') : part.copy(joined, at);
    this.#send(joined);
  }

  #send(bytes: Buffer | string): void {
    if (this.#socket.write(bytes, 'latin1') || this.#upstream === undefined || this.#upstreamPaused) return;
    // The client reads slower than the app writes: stop reading from the app until it drains.
    this.#upstreamPaused = true;
    this.#upstream.socket.pause();
  }

  readonly #onFirstByteTimeout = (): void => {
    this.#firstByteTimer = undefined;
    if (this.#answered || this.#done) return;
    this.#fail(ROUTER_ERRORS.H12);
  };

  #fail(error: RouterError): void {
    this.#error = error;
    this.#answer(errorPage(error));
  }

  /** Answers with a router page: the request's attempt (if any) ends. */
  #answer(page: RouterPage): void {
    if (this.#done) return;
    if (this.#answered) {
      this.#done = true;
      this.#stopAttempt();
      this.#cutShort();
      return;
    }
    this.#stopAttempt();
    const head = this.#head as RequestHead;
    // A request body not all received yet would be read as the next request: the connection ends instead.
    if (this.#bodyLeft > 0 || this.#routes.closing()) this.#closeAfter = true;
    const text = rawPageText(page, head.accept, head.requestId, { close: this.#closeAfter, date: httpDate() });
    this.#answered = true;
    this.#status = page.status;
    this.#write(Buffer.from(text, 'utf8'));
    this.#complete();
  }

  /** Ends the attempt under way: a connection that may hold part of this request is closed. */
  #stopAttempt(): void {
    if (this.#waiting && this.#backend !== undefined) {
      // Still queued for a connection: its place goes; one being made is kept by onUpstreamReady.
      if (this.#routes.upstream.cancel(this.#backend, this)) this.#waiting = false;
    }
    const connection = this.#upstream;
    this.#upstream = undefined;
    if (connection !== undefined) {
      connection.user = undefined;
      connection.release(false);
    }
    this.#upstreamPaused = false;
  }

  #clearTimer(): void {
    clearTimeout(this.#firstByteTimer);
    this.#firstByteTimer = undefined;
  }

  /** The answer is all written: the connection to the app goes back, the line is logged, the next request is read. */
  #complete(): void {
    this.#flush();
    this.#done = true;
    this.#clearTimer();
    const connection = this.#upstream;
    this.#upstream = undefined;
    if (connection !== undefined) {
      const response = this.#response;
      connection.idleHintMs = response?.keepAliveHintMs;
      if (this.#upstreamPaused) connection.socket.resume();
      connection.release(response !== undefined && response.keepAlive && !this.#upstreamDirty && this.#bodyLeft === 0);
    }
    this.#upstreamPaused = false;
    this.#log();
    this.#busy = false;
    this.#head = undefined;
    if (this.#gone) return;
    if (this.#closeAfter) {
      this.#end();
      return;
    }
    this.#resumeClient();
    // Pipelined requests wait a tick, so a run of them answered at once does not nest calls.
    this.#idleSince = Date.now();
    if (this.#buf !== undefined || this.#clientEnded) process.nextTick(() => { if (!this.#busy && !this.#gone) this.#readHead(); });
  }

  #log(): void {
    const error = this.#error;
    const backend = this.#backend;
    const requestId = (this.#head as RequestHead).requestId;
    const status = error?.code === 'H27' ? 499 : this.#status;
    // Two literal shapes rather than spreads: this runs for every request.
    const entry: AccessEntry =
      this.#sentAt !== 0 && backend !== undefined
        ? { method: this.#method, path: this.#target, host: this.#host, requestId, fwd: this.#fwd, dyno: backend.name, connectMs: this.#connectMs ?? 0, serviceMs: Date.now() - this.#sentAt, status, bytes: this.#bytesOut }
        : { method: this.#method, path: this.#target, host: this.#host, requestId, fwd: this.#fwd, status, bytes: this.#bytesOut };
    this.#routes.ctx.log(this.#appName, error === undefined ? entry : { ...entry, error: { code: error.code, desc: error.desc } });
  }

}
