/**
 * Real sockets on 127.0.0.1: small node:http apps as web processes, a listening
 * router, and clients that speak plain HTTP (or raw bytes, for what node's client
 * refuses to send, like two Host headers).
 */
import { once } from 'node:events';
import { createServer, request, type Agent, type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

import { createRouteTable, type AppRoute, type Backend, type Router, type RouterOptions } from '../src/index.js';
import { createRouter } from '../src/router.js';

export interface TestBackend {
  readonly server: Server;
  readonly port: number;
  readonly backend: Backend;
  /** Requests this process received. */
  readonly hits: () => number;
  /** Graceful, like an app handling SIGTERM: idle connections close, requests under way finish. */
  stop(): Promise<void>;
  /** Abrupt: every connection is cut. */
  close(): Promise<void>;
}

let nextId = 0;

export async function startBackend(name: string, handler: RequestListener): Promise<TestBackend> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  nextId += 1;
  return {
    server,
    port,
    backend: { id: `proc-${String(nextId)}`, name, host: '127.0.0.1', port },
    hits: () => hits,
    stop: async () => {
      if (!server.listening) return;
      const closed = once(server, 'close');
      server.close();
      await closed;
    },
    close: () => closeServer(server),
  };
}

/** An app that answers every request with its process name. */
export function startNamedBackend(name: string): Promise<TestBackend> {
  return startBackend(name, (_req, res) => {
    res.end(name);
  });
}

export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}

/** A port nothing listens on (bound, then released). */
export async function deadBackend(name: string): Promise<Backend> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await closeServer(server);
  nextId += 1;
  return { id: `dead-${String(nextId)}`, name, host: '127.0.0.1', port };
}

export function webApp(name: string, backends: readonly Backend[], extra: Partial<AppRoute> = {}): AppRoute {
  return { name, domains: [], maintenance: false, state: 'running', backends, ...extra };
}

export interface TestRouter {
  readonly router: Router;
  readonly port: number;
  readonly lines: { app: string; line: string }[];
  setApps(apps: readonly AppRoute[]): void;
  close(): Promise<void>;
}

export async function startRouter(options: Partial<RouterOptions> = {}, apps: readonly AppRoute[] = []): Promise<TestRouter> {
  const lines: { app: string; line: string }[] = [];
  const router = createRouter({
    domain: 'localhost',
    onAccessLog: (app, line) => lines.push({ app, line }),
    ...options,
  });
  router.update(createRouteTable(apps));
  router.server.listen(0, '127.0.0.1');
  await once(router.server, 'listening');
  return {
    router,
    port: (router.server.address() as AddressInfo).port,
    lines,
    setApps: (next) => {
      router.update(createRouteTable(next));
    },
    close: () => router.close(),
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Ask {
  readonly path?: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly agent?: Agent;
}

/** One request through the router, with `Host: <host>`. */
export async function ask(port: number, host: string, options: Ask = {}): Promise<Answer> {
  const req = request({
    host: '127.0.0.1',
    port,
    method: options.method ?? 'GET',
    path: options.path ?? '/',
    headers: { host, ...options.headers },
    agent: options.agent ?? false,
  });
  req.end(options.body);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let body = '';
  res.setEncoding('utf8');
  for await (const chunk of res) body += chunk as string;
  return { status: res.statusCode ?? 0, headers: res.headers, body };
}

/**
 * Sends raw bytes and collects everything until the router closes the connection. The client's
 * side is half-closed after the bytes unless `keepOpen` (node's server drops requests still under
 * way on a half-closed connection).
 */
export async function askRaw(port: number, text: string, keepOpen = false): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  if (keepOpen) socket.write(text);
  else socket.end(text);
  let answer = '';
  socket.setEncoding('latin1');
  for await (const chunk of socket) answer += chunk as string;
  return answer;
}

/** Resolves when `predicate` holds, polling briefly (access lines are written on response close). */
export async function eventually(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
