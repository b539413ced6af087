/**
 * Where nginx sends a booting app's requests: they are held here until the app's first web
 * process is in the route table, then passed to it, as the builtin router holds them. An
 * app with no web process (H14) or a crashed one (H10) is sent here too, and answered from
 * the newest table: the same reload overlap (below) would otherwise let an old worker
 * answer H14 for an app whose first process a new worker already serves.
 *
 * Why not an H20 page from nginx at once: on every reload nginx's master starts the new
 * workers and only then (100 ms later) tells the old ones to stop accepting, so for a moment
 * both generations take connections. An old worker whose configuration still said "booting"
 * answered H20 to requests sent after the app had already answered 200 from a new worker.
 * Held, such a request is served like any other.
 *
 * nginx names the app in `X-Paas-App`, and has already set every forwarding header; the
 * answer tells nginx's access line the process (`X-Paas-Dyno`) or the router code
 * (`X-Paas-Code`), which nginx hides from the client.
 */
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import { createRouteTable, decideRoute, pickBackend, type RouteTable } from '../../route-table.js';
import { ROUTER_ERRORS, errorPage, noSuchAppPage, renderPage, type RouterPage } from '../../router-errors.js';

export const HELD_APP_HEADER = 'X-Paas-App';
export const HELD_DYNO_HEADER = 'X-Paas-Dyno';
export const HELD_CODE_HEADER = 'X-Paas-Code';

export interface BootHold {
  readonly port: number;
  /** The table nginx is being given: waiting requests whose app now has processes go on. */
  update(table: RouteTable): void;
  close(): Promise<void>;
}

/** Headers that describe this hop only, or are for this server alone. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', HELD_APP_HEADER.toLowerCase()]);
const NOT_RETURNED = new Set(['connection', 'keep-alive', 'transfer-encoding']);

interface Waiter {
  readonly app: string;
  /** Decides again under a new table; true once the request is on its way or answered. */
  readonly retry: (table: RouteTable) => boolean;
  readonly timer: NodeJS.Timeout;
}

export async function createBootHold(options: { readonly host: string; readonly timeoutMs: number }): Promise<BootHold> {
  let table: RouteTable | undefined;
  let turn = 0;
  const waiters = new Set<Waiter>();

  const answer = (res: ServerResponse, page: RouterPage, code: string | undefined, accept: string | undefined): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const { body, contentType } = renderPage(page, accept);
    res.writeHead(page.status, [
      'Content-Type', contentType, 'Content-Length', String(Buffer.byteLength(body)), 'Cache-Control', 'no-store',
      ...(code === undefined ? [] : [HELD_CODE_HEADER, code]),
      ...(page.retryAfter === undefined ? [] : ['Retry-After', String(page.retryAfter)]),
    ]);
    res.end(body);
  };

  /** Sends the request on, or answers it, under `current`; false while the app still boots. */
  const decide = (req: IncomingMessage, res: ServerResponse, app: string, current: RouteTable): boolean => {
    const route = current.apps.get(app);
    const accept = req.headers.accept;
    if (route === undefined) {
      answer(res, noSuchAppPage(req.headers.host ?? app), undefined, accept);
      return true;
    }
    const decision = decideRoute(route);
    if (decision.kind === 'wait') return false;
    if (decision.kind === 'error') {
      answer(res, errorPage(ROUTER_ERRORS[decision.code]), decision.code, accept);
      return true;
    }
    turn = (turn + 1) % Number.MAX_SAFE_INTEGER;
    const backend = pickBackend(route.backends, turn, new Map());
    if (backend === undefined) {
      answer(res, errorPage(ROUTER_ERRORS.H14), 'H14', accept);
      return true;
    }
    const headers: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] as string;
      if (!NOT_FORWARDED.has(name.toLowerCase())) headers.push(name, req.rawHeaders[i + 1] as string);
    }
    const proxyReq = request({ host: backend.host, port: backend.port, method: req.method, path: req.url, headers, agent: false }, (proxyRes) => {
      const returned: string[] = [HELD_DYNO_HEADER, backend.name];
      for (let i = 0; i + 1 < proxyRes.rawHeaders.length; i += 2) {
        const name = proxyRes.rawHeaders[i] as string;
        if (!NOT_RETURNED.has(name.toLowerCase())) returned.push(name, proxyRes.rawHeaders[i + 1] as string);
      }
      res.writeHead(proxyRes.statusCode ?? 502, returned);
      proxyRes.pipe(res);
      proxyRes.on('error', () => res.destroy());
    });
    proxyReq.on('error', () => {
      // Its first process refused or hung up: what the builtin router calls H21 (nginx retries nothing here).
      answer(res, errorPage(ROUTER_ERRORS.H21), 'H21', accept);
    });
    res.on('close', () => proxyReq.destroy());
    req.pipe(proxyReq);
    return true;
  };

  const server = createServer((req, res) => {
    const app = req.headers[HELD_APP_HEADER.toLowerCase()];
    if (typeof app !== 'string' || table === undefined) {
      answer(res, errorPage(ROUTER_ERRORS.H20), 'H20', req.headers.accept);
      return;
    }
    if (decide(req, res, app, table)) return;
    const waiter: Waiter = {
      app,
      retry: (next) => decide(req, res, app, next),
      timer: setTimeout(() => {
        waiters.delete(waiter);
        answer(res, errorPage(ROUTER_ERRORS.H20), 'H20', req.headers.accept);
      }, options.timeoutMs),
    };
    waiters.add(waiter);
    res.on('close', () => {
      clearTimeout(waiter.timer);
      waiters.delete(waiter);
    });
  });
  // A websocket to a booting app is not held (it would need the tunnel the builtin router has): H20 at once, as before;
  // to an app with no web process or a crashed one, that page (H14, H10) from the newest table.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const app = req.headers[HELD_APP_HEADER.toLowerCase()];
    const route = typeof app === 'string' ? table?.apps.get(app) : undefined;
    const decision = route === undefined ? undefined : decideRoute(route);
    const code = decision?.kind === 'error' ? decision.code : 'H20';
    const { body, contentType } = renderPage(errorPage(ROUTER_ERRORS[code]), req.headers.accept);
    socket.on('error', () => socket.destroy());
    socket.end(
      `HTTP/1.1 503 Service Unavailable\r\nContent-Type: ${contentType}\r\nContent-Length: ${String(Buffer.byteLength(body))}\r\n` +
        `Cache-Control: no-store\r\n${HELD_CODE_HEADER}: ${code}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, options.host);
  await once(server, 'listening');

  return {
    port: (server.address() as AddressInfo).port,
    update(next) {
      table = next;
      for (const waiter of waiters) {
        if (!waiter.retry(next)) continue;
        clearTimeout(waiter.timer);
        waiters.delete(waiter);
      }
    },
    async close() {
      // Closing: whoever still waits is answered (the app is no longer routed here) rather than cut off.
      const none = createRouteTable();
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.retry(none);
      }
      waiters.clear();
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
