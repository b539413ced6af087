import { readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { Server } from 'node:https';

import type { FastifyInstance } from 'fastify';

import type { Config } from './config.js';
import { ensurePlatformTls } from './rendezvous/platform-ca.js';

export interface ApiTlsListener {
  readonly port: number;
  /** The CA file clients trust, when the certificate is the platform CA's (not the operator's own files). */
  readonly caFile: string | undefined;
  close(): Promise<void>;
}

/**
 * The API, git and the dashboard over HTTPS: the same Fastify app behind a second listener.
 * The certificate is the operator's (PAAS_TLS_CERT_FILE/PAAS_TLS_KEY_FILE, as the edge uses)
 * or one the platform CA issues for the names paasd is reached by. Websocket upgrades are
 * handed to the app's own server, where the websocket plugin listens for them.
 */
export async function listenApiTls(
  app: FastifyInstance,
  config: Pick<Config, 'tls' | 'dataDir' | 'domain' | 'host'>,
  port: number,
  names: readonly string[] = [],
): Promise<ApiTlsListener> {
  const material =
    config.tls === undefined
      ? await ensurePlatformTls(config.dataDir, [config.domain, ...names, ...(config.host === '0.0.0.0' || config.host === '::' ? [] : [config.host])])
      : { key: await readFile(config.tls.keyFile), cert: await readFile(config.tls.certFile), caFile: undefined };
  const server: Server = createServer({ key: material.key, cert: material.cert }, (request, response) => app.routing(request, response));
  server.on('upgrade', (request, socket, head) => app.server.emit('upgrade', request, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    caFile: material.caFile,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
