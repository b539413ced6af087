/**
 * The data plane that applies the route table, chosen by PAAS_ROUTER from a table of
 * planes: the builtin Node router (listening in a thread of paasd) or nginx (a child process paasd
 * configures). Both take the same table, drain the same way and carry the same certificates.
 */
import { join } from 'node:path';

import { createNginxPlane, createRouteTable, createThreadedRouter } from '@paas/router';
import type { AccessEntry, NginxPlane, RouteTable, RouterLogger, TlsCertificate } from '@paas/router';

import type { Config } from './config.js';

export interface DataPlane {
  update(table: RouteTable): void;
  /** Resolves once every table given so far is served (nginx reloads after `update` returns). */
  applied(): Promise<void>;
  /** Resolves once no request is under way to the backend `id` (after the table dropped it). */
  drain(id: string, timeoutMs?: number): Promise<void>;
  setPlatformCertificate(certificate: TlsCertificate): void;
  /**
   * Starts serving on PAAS_ROUTER_PORT and PAAS_ROUTER_TLS_PORT, or on `ports` (tests: the
   * configured ports still name the URLs); 0 is any free port (builtin only). Returns the ports.
   */
  listen(ports?: { port: number; tlsPort: number }): Promise<{ port: number; tlsPort: number }>;
  close(): Promise<void>;
}

export interface DataPlaneOptions {
  readonly config: Pick<Config, 'domain' | 'host' | 'routerPort' | 'routerTlsPort' | 'dataDir' | 'routerThread'>;
  readonly platformCertificate: TlsCertificate;
  /** Each request's access line, and its fields where the plane has them (the builtin router). */
  readonly onAccessLog: (app: string, line: string, entry?: AccessEntry) => void;
  readonly logger: RouterLogger;
}

export const DATA_PLANES: Readonly<Record<Config['routerPlane'], (options: DataPlaneOptions) => DataPlane | Promise<DataPlane>>> = {
  builtin: (options) => (options.config.routerThread ? createThreadedPlane(options) : createMainThreadPlane(options)),
  nginx: createNginxDataPlane,
};

/**
 * The builtin router in a worker thread of its own (see router-thread.ts), the default:
 * paasd's main-thread work and its big heap's collections do not pause the requests under
 * way. The thread costs some 15 MB resident.
 */
function createThreadedPlane({ config, platformCertificate, onAccessLog, logger }: DataPlaneOptions): DataPlane {
  const router = createThreadedRouter({ domain: config.domain, certificate: platformCertificate, publicTlsPort: config.routerTlsPort, onAccessLog, logger });
  return { ...router, listen: (ports = { port: config.routerPort, tlsPort: config.routerTlsPort }) => router.listen(config.host, ports) };
}

/** PAAS_ROUTER_THREAD=0: the builtin router in paasd's main thread (its code loaded only then). */
async function createMainThreadPlane({ config, platformCertificate, onAccessLog, logger }: DataPlaneOptions): Promise<DataPlane> {
  const { createRouter } = await import('@paas/router/main-thread');
  const router = createRouter({ domain: config.domain, logger, onAccessLog, tls: { certificate: platformCertificate, publicPort: config.routerTlsPort } });
  const tlsServer = router.tlsServer;
  if (tlsServer === undefined) throw new Error('the router was made without its HTTPS server');
  const listen = (server: typeof router.server | typeof tlsServer, port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, config.host, () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  return {
    update: (table) => {
      router.update(table);
    },
    applied: () => Promise.resolve(),
    drain: (id, timeoutMs) => router.drain(id, timeoutMs),
    setPlatformCertificate: (certificate) => {
      router.setPlatformCertificate(certificate);
    },
    listen: async (ports = { port: config.routerPort, tlsPort: config.routerTlsPort }) => ({
      port: await listen(router.server, ports.port),
      tlsPort: await listen(tlsServer, ports.tlsPort),
    }),
    close: () => router.close(),
  };
}

/** nginx starts on `listen()` with the table of that moment; until then updates are only kept. */
function createNginxDataPlane({ config, platformCertificate, onAccessLog, logger }: DataPlaneOptions): DataPlane {
  let plane: NginxPlane | undefined;
  let table = createRouteTable();
  let certificate = platformCertificate;
  return {
    update(next) {
      table = next;
      plane?.update(next);
    },
    applied: async () => plane?.applied(),
    drain: async (id, timeoutMs) => plane?.drain(id, timeoutMs),
    setPlatformCertificate(next) {
      certificate = next;
      plane?.setPlatformCertificate(next);
    },
    async listen(ports = { port: config.routerPort, tlsPort: config.routerTlsPort }) {
      if (ports.port === 0 || ports.tlsPort === 0) throw new Error('PAAS_ROUTER=nginx needs fixed ports: set PAAS_ROUTER_PORT and PAAS_ROUTER_TLS_PORT');
      plane = await createNginxPlane({
        domain: config.domain,
        runDir: join(config.dataDir, 'run', 'nginx'),
        host: config.host,
        httpPort: ports.port,
        tlsPort: ports.tlsPort,
        publicTlsPort: config.routerTlsPort,
        platformCertificate: certificate,
        onAccessLog,
        logger,
      });
      plane.update(table);
      await plane.applied();
      return ports;
    },
    close: async () => plane?.close(),
  };
}
