/**
 * The Host-routing reverse proxy for app web processes. `createRouter` builds the
 * server without listening (the caller listens on `PAAS_ROUTER_PORT`); the process
 * manager calls `update(table)` with the whole route table whenever processes change.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';

import { formatAccessLine, type AccessEntry } from './access-line.js';
import { createBackendPool, type BackendPool } from './backend-pool.js';
import { createBootWaits, type BootWaits } from './boot-waits.js';
import { FastConnection, type FastRoutes } from './fast-connection.js';
import { addForwardedHeaders, clientAddress, readRequestHead, type RequestHead } from './forwarded-headers.js';
import { sendPage, writeRawPage } from './page-response.js';
import { ProxyExchange } from './proxy-exchange.js';
import { UpstreamPool } from './raw-upstream.js';
import { ACME_CHALLENGE_PREFIX, challengeAnswer, createRouteTable, decideRoute, lookupHost, normalizeHost, pickBackend, type AppRoute, type RouteTable, type TlsCertificate } from './route-table.js';
import { createSecureContexts, type SecureContexts } from './secure-contexts.js';
import { badRequestPage, noSuchAppPage, type RouterPage } from './router-errors.js';
import { UpgradeTunnel, type TunnelContext } from './upgrade-tunnel.js';

/** The slice of a pino logger the router uses. */
export interface RouterLogger {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface RouterOptions {
  /** Platform domain: apps answer at `<app>.<domain>` (PAAS_DOMAIN, default `localhost`). */
  readonly domain: string;
  readonly logger?: RouterLogger;
  /**
   * One Heroku-format line per request, for the app's log stream (`paas[router]`), with the
   * fields it was made from (for metrics). Called synchronously: queue, do not write.
   */
  readonly onAccessLog: (app: string, line: string, entry: AccessEntry) => void;
  /** Time to open a connection to a web process before H19 (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Time to the first byte of the app's response before H12 (default 30 s). */
  readonly firstByteTimeoutMs?: number;
  /** How long a request waits for a booting app's first web process before H20 (default 75 s). */
  readonly bootTimeoutMs?: number;
  /** Connections per web process at most (default 256). */
  readonly maxSocketsPerBackend?: number;
  /** Idle keep-alive connections to web processes close after this (default 30 s, or the app's hint). */
  readonly idleSocketTimeoutMs?: number;
  /**
   * HTTPS: the certificate for the platform domain (and for any host the table has none
   * for). Without it there is no `tlsServer`.
   */
  readonly tls?: {
    readonly certificate: TlsCertificate;
    /** The HTTPS port clients use, for redirects from HTTP (443 is left out of the URL). */
    readonly publicPort: number;
  };
}

export interface Router {
  /** Not listening: the caller listens, so tests and paasd choose the port. */
  readonly server: Server;
  /** The HTTPS listener (certificate chosen by SNI from the table), when `tls` was given; not listening. */
  readonly tlsServer: TlsServer | undefined;
  /** Another platform certificate, for connections from now on (a replaced PAAS_TLS_CERT_FILE). */
  setPlatformCertificate(certificate: TlsCertificate): void;
  /** Swaps the whole route table at once. */
  update(table: RouteTable): void;
  /** The table in use. */
  table(): RouteTable;
  /**
   * Resolves once no request is under way to the backend `id` (call after `update()`
   * has taken it out of the table, before stopping it), or after `timeoutMs`.
   */
  drain(id: string, timeoutMs?: number): Promise<void>;
  /** Stops accepting, ends websocket tunnels and idle connections, waits for requests under way. */
  close(): Promise<void>;
}

/** The router's mutable state, shared by every request through `TunnelContext`. */
interface RouterState {
  current: RouteTable;
  readonly pool: BackendPool;
  readonly waits: BootWaits;
  readonly turns: Map<string, number>;
  readonly tunnels: Set<Duplex>;
  readonly contexts: SecureContexts | undefined;
  /** The fast path's connections to web processes (the full router's are `pool`). */
  readonly upstream: UpstreamPool;
  /** Client connections on the fast path. */
  readonly fast: Set<FastConnection>;
  closing: boolean;
}

/** How often `drain` looks again; requests finish in milliseconds, so a short poll costs little. */
const DRAIN_POLL_MS = 20;
/** How often idle fast-path connections are looked at; the timeouts are seconds long. */
const SWEEP_MS = 1_000;

export function createRouter(options: RouterOptions): Router {
  const state: RouterState = {
    current: createRouteTable(),
    pool: createBackendPool({
      maxSockets: options.maxSocketsPerBackend ?? 256,
      idleSocketTimeoutMs: options.idleSocketTimeoutMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      failingMarkMs: 5_000,
    }),
    waits: createBootWaits(),
    turns: new Map(),
    tunnels: new Set(),
    contexts: options.tls === undefined ? undefined : createSecureContexts(options.tls.certificate),
    upstream: new UpstreamPool({
      maxSockets: options.maxSocketsPerBackend ?? 256,
      idleSocketTimeoutMs: options.idleSocketTimeoutMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    }),
    fast: new Set(),
    closing: false,
  };
  const ctx = createContext(options, state);
  // Idle and slow fast-path connections are ended by one sweep a second (see FastConnection.sweep).
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const connection of state.fast) connection.sweep(now);
    state.upstream.sweep(now);
  }, SWEEP_MS);
  sweeper.unref();
  const server = createServer();
  listenForRequests(server, options, state, ctx);
  takeConnections(server, 'connection', false, options, state, ctx);
  const contexts = state.contexts;
  const tlsServer =
    contexts === undefined
      ? undefined
      : createTlsServer({
          ...contexts.platformOptions(),
          SNICallback: (serverName, done) => {
            try {
              done(null, contexts.forServerName(state.current, serverName));
            } catch (err) {
              // A certificate that node cannot load: the handshake fails for that host only.
              options.logger?.error({ err, serverName }, 'certificate not usable');
              done(err as Error);
            }
          },
        });
  if (tlsServer !== undefined) {
    listenForRequests(tlsServer, options, state, ctx);
    takeConnections(tlsServer, 'secureConnection', true, options, state, ctx);
    tlsServer.on('tlsClientError', () => {
      // A client that gave up or did not speak TLS: nothing to answer, nothing to log per connection.
    });
  }

  return {
    server,
    tlsServer,
    setPlatformCertificate(certificate) {
      contexts?.setPlatform(certificate);
      if (tlsServer !== undefined && contexts !== undefined) tlsServer.setSecureContext(contexts.platformOptions());
    },
    update(table) {
      state.current = table;
      contexts?.prune(table);
      state.pool.sync(table);
      state.upstream.sync(table);
      for (const name of state.turns.keys()) if (!table.apps.has(name)) state.turns.delete(name);
      state.waits.release(table);
    },
    table: () => state.current,
    async drain(id, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while ((state.pool.busy(id) || state.upstream.busy(id)) && Date.now() < deadline) await sleep(DRAIN_POLL_MS);
    },
    close() {
      state.closing = true;
      clearInterval(sweeper);
      for (const connection of state.fast) connection.closeWhenIdle();
      const closeTls = new Promise<void>((resolve) => {
        if (tlsServer === undefined || !tlsServer.listening) {
          resolve();
          return;
        }
        tlsServer.close(() => resolve());
        tlsServer.closeIdleConnections();
      });
      return new Promise<void>((resolve) => {
        server.close(() => {
          void closeTls.then(() => {
            state.pool.close();
            state.upstream.close();
            resolve();
          });
        });
        server.closeIdleConnections();
        for (const client of state.tunnels) client.destroy();
        state.tunnels.clear();
        state.waits.giveUpAll();
      });
    },
  };
}

function createContext(options: RouterOptions, state: RouterState): TunnelContext {
  const { logger, onAccessLog } = options;
  return {
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    firstByteTimeoutMs: options.firstByteTimeoutMs ?? 30_000,
    bootTimeoutMs: options.bootTimeoutMs ?? 75_000,
    currentApp: (name) => state.current.apps.get(name),
    pick(app) {
      const turn = state.turns.get(app.name) ?? 0;
      state.turns.set(app.name, turn + 1 >= Number.MAX_SAFE_INTEGER ? 0 : turn + 1);
      return pickBackend(app.backends, turn, state.pool.failing());
    },
    dispatcherFor: (backend) => state.pool.dispatcherFor(backend),
    markFailing: (backend) => {
      state.pool.markFailing(backend);
    },
    waitForBackends: (name, ready) => state.waits.wait(name, ready),
    log(app, entry) {
      try {
        onAccessLog(app, formatAccessLine(entry), entry);
      } catch (err) {
        logger?.error({ err, app }, 'access log callback failed');
      }
    },
    warn(fields, message) {
      logger?.warn(fields, message);
    },
    trackTunnel(client, backend) {
      state.tunnels.add(client);
      client.once('close', () => {
        state.tunnels.delete(client);
        backend.destroy();
      });
    },
  };
}

function listenForRequests(server: Server | TlsServer, options: RouterOptions, state: RouterState, ctx: TunnelContext): void {
  const domain = normalizeHost(options.domain) ?? options.domain;
  const logger = options.logger;

  /** Common to plain and upgrade requests: a single Host naming a known app, or the page to answer. */
  const admit = (head: RequestHead): { app: AppRoute; host: string } | RouterPage => {
    if (head.hostCount !== 1 || head.host === undefined) {
      return badRequestPage(head.hostCount === 0 ? 'The request has no Host header.' : 'The request has more than one Host header.');
    }
    const host = normalizeHost(head.host);
    const app = host === undefined ? undefined : lookupHost(state.current, host, domain);
    return app === undefined ? noSuchAppPage(host ?? head.host) : { app, host: host ?? head.host };
  };

  /** The router's own headers; returns the X-Forwarded-For value sent, for the access line. */
  const forward = (req: IncomingMessage, head: RequestHead): string =>
    addForwardedHeaders(head, clientAddress(req.socket.remoteAddress), secure(req) ? 'https' : 'http', req.socket.localPort ?? 0, Date.now());

  /** On the HTTP listener only: ACME challenges, then the app's redirect to HTTPS. True when answered. */
  const answerPlain = (req: IncomingMessage, res: ServerResponse, head: RequestHead, app: AppRoute | undefined, host: string): boolean => {
    const path = req.url ?? '/';
    const keyAuthorization = challengeAnswer(state.current, host, path.split('?')[0] ?? path);
    if (keyAuthorization !== undefined) {
      res.writeHead(200, ['Content-Type', 'text/plain', 'Content-Length', String(Buffer.byteLength(keyAuthorization)), 'Cache-Control', 'no-store', 'X-Request-Id', head.requestId]);
      res.end(keyAuthorization);
      return true;
    }
    if (app?.redirectHttps !== true || options.tls === undefined) return false;
    const port = options.tls.publicPort === 443 ? '' : `:${String(options.tls.publicPort)}`;
    const location = `https://${host}${port}${path.startsWith('/') ? path : '/'}`;
    res.writeHead(308, ['Location', location, 'Content-Length', '0', 'X-Request-Id', head.requestId]);
    res.end();
    return true;
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const head = readRequestHead(req.rawHeaders);
    const admitted = admit(head);
    if (!secure(req) && head.host !== undefined && head.hostCount === 1) {
      const host = normalizeHost(head.host);
      if (host !== undefined && answerPlain(req, res, head, 'status' in admitted ? undefined : admitted.app, host)) return;
    }
    if ('status' in admitted) {
      sendPage(res, admitted, head.accept, head.requestId);
      return;
    }
    const fwd = forward(req, head);
    new ProxyExchange(ctx, req, res, head, admitted.app.name, { host: admitted.host, fwd }).dispatch();
  };

  const onUpgrade = (req: IncomingMessage, client: Duplex, bodyHead: Buffer): void => {
    client.on('error', () => {
      // The client reset the connection; 'close' follows, and the tunnel (if any) ends with it.
    });
    const head = readRequestHead(req.rawHeaders);
    const admitted = admit(head);
    if ('status' in admitted) {
      writeRawPage(client, admitted, head.accept, head.requestId);
      return;
    }
    const fwd = forward(req, head);
    if (head.upgrade === 'websocket') {
      head.headers.push('Connection', 'Upgrade', 'Upgrade', 'websocket');
    } else {
      // Other upgrades (h2c) are declined: the app answers in HTTP/1.1 and the tunnel closes after.
      head.headers.push('Connection', 'close');
    }
    new UpgradeTunnel(ctx, req, client, bodyHead, head, admitted.app.name, { host: admitted.host, fwd }).dispatch();
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    try {
      onRequest(req, res);
    } catch (err) {
      // A bug here must cost one request, not the router process.
      logger?.error({ err, url: req.url }, 'router failed a request');
      if (res.headersSent) res.destroy();
      else sendPage(res, { status: 500, title: 'Router error', explanation: 'The router failed this request.' }, undefined, randomUUID());
    }
  });
  server.on('upgrade', (req: IncomingMessage, client: Duplex, bodyHead: Buffer) => {
    try {
      onUpgrade(req, client, bodyHead);
    } catch (err) {
      logger?.error({ err, url: req.url }, 'router failed an upgrade');
      client.destroy();
    }
  });
}

/**
 * Every connection starts on the fast path (`fast-connection.ts`); node's own HTTP server
 * (its connection listener, taken off the server here) gets those the fast path hands over.
 */
function takeConnections(server: Server | TlsServer, event: 'connection' | 'secureConnection', secure: boolean, options: RouterOptions, state: RouterState, ctx: TunnelContext): void {
  const [nodeListener] = server.listeners(event) as ((socket: Socket) => void)[];
  if (nodeListener === undefined) throw new Error(`node's HTTP server has no ${event} listener to take over`);
  server.removeListener(event, nodeListener);
  const domain = normalizeHost(options.domain) ?? options.domain;
  const routes: FastRoutes = {
    ctx,
    upstream: state.upstream,
    fastApp(head, target, secureRequest) {
      if (head.hostCount !== 1 || head.host === undefined) return undefined;
      const host = normalizeHost(head.host);
      const app = host === undefined ? undefined : lookupHost(state.current, host, domain);
      if (app === undefined || host === undefined || decideRoute(app).kind !== 'proxy') return undefined;
      // The plain listener's own answers (ACME challenges, the redirect to HTTPS) are the full router's.
      if (!secureRequest && (target.startsWith(ACME_CHALLENGE_PREFIX) || (app.redirectHttps === true && options.tls !== undefined))) return undefined;
      return { app, host };
    },
    handOver(socket, buffered, ended) {
      nodeListener.call(server, socket);
      // node reads the rest from the socket; what the fast path had read comes first (and the
      // client's end, if the fast path already read it: the socket will not say it again).
      if (buffered !== undefined && buffered.length > 0) socket.emit('data', buffered);
      if (ended) socket.emit('end');
    },
    forget(connection) {
      state.fast.delete(connection);
    },
    // Read when used, so a change to the server's settings applies to the fast path too.
    get keepAliveTimeoutMs() {
      return server.keepAliveTimeout;
    },
    get headersTimeoutMs() {
      return server.headersTimeout;
    },
    closing: () => state.closing,
  };
  server.on(event, (socket: Socket) => {
    if (state.closing) {
      nodeListener.call(server, socket);
      return;
    }
    state.fast.add(new FastConnection(socket, routes, secure));
  });
}

/** Whether the request came over the HTTPS listener. */
function secure(req: IncomingMessage): boolean {
  return (req.socket as Partial<TLSSocket>).encrypted === true;
}
