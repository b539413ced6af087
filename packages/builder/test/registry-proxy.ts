import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface RegistryProxy {
  /** The registry URL to give builds (`NPM_CONFIG_REGISTRY`). */
  readonly url: string;
  /** Every request that went through, oldest first. */
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A recording pass-through to the real npm registry: builds that use it show what
 * they download. Forwards method, path and headers; streams the answer back.
 */
export async function startRegistryProxy(upstream = 'https://registry.npmjs.org'): Promise<RegistryProxy> {
  const target = new URL(upstream);
  const requests: ProxiedRequest[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const headers: IncomingHttpHeaders = { ...incoming.headers, host: target.host };
    delete headers.connection;
    const forward = httpsRequest(
      { hostname: target.hostname, port: target.port || 443, path: `${target.pathname.replace(/\/$/, '')}${incoming.url ?? '/'}`, method: incoming.method ?? 'GET', headers },
      (answer) => {
        requests.push({ method: incoming.method ?? 'GET', path: incoming.url ?? '/', status: answer.statusCode ?? 0 });
        const answerHeaders = { ...answer.headers };
        delete answerHeaders.connection;
        delete answerHeaders['transfer-encoding'];
        outgoing.writeHead(answer.statusCode ?? 502, answerHeaders);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => {
      requests.push({ method: incoming.method ?? 'GET', path: incoming.url ?? '/', status: 502 });
      outgoing.writeHead(502).end();
    });
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
