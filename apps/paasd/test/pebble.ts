/**
 * Let's Encrypt's test ACME server on loopback: Debian's pebble, with pebble-challtestsrv
 * as its DNS so that every name resolves to 127.0.0.1 (or where a test points it), and
 * HTTP-01 validation sent to the router's HTTP port. Its HTTPS certificate comes from a
 * throwaway CA the platform is told to trust (PAAS_ACME_CA_FILE).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { createTestCa, type TestCa } from './test-pki.js';

export const PEBBLE = '/usr/bin/pebble';
export const CHALLTESTSRV = '/usr/bin/pebble-challtestsrv';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

export interface PebblePorts {
  readonly acme: number;
  readonly management: number;
  readonly dns: number;
  readonly dnsManagement: number;
  readonly tls: number;
}

export interface Pebble {
  readonly directory: string;
  /** The CA that signed pebble's own HTTPS certificate (for PAAS_ACME_CA_FILE). */
  readonly tlsCa: TestCa;
  /** Starts pebble with HTTP-01 validation sent to `httpPort`, certificates valid `validitySeconds`. */
  start(httpPort: number, validitySeconds: number): Promise<void>;
  /** The root pebble issues under (PEM), from its management interface. */
  root(): Promise<string>;
  /** Makes `host` resolve to `address` for pebble's validation. */
  pointHost(host: string, address: string): Promise<void>;
  /** Everything pebble printed. */
  output(): string;
}

/** Ports and the TLS CA first: the platform must know the directory before pebble knows the router's port. */
export async function preparePebble(t: TestContext, dir: string): Promise<Pebble> {
  const ports: PebblePorts = { acme: await freePort(), management: await freePort(), dns: await freePort(), dnsManagement: await freePort(), tls: await freePort() };
  const tlsCa = createTestCa('pebble test TLS CA');
  t.after(() => tlsCa.remove());
  const children: ChildProcess[] = [];
  let printed = '';
  t.after(async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
  });
  const launch = (command: string, args: string[], env: Record<string, string>): void => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    children.push(child);
  };
  return {
    directory: `https://127.0.0.1:${String(ports.acme)}/dir`,
    tlsCa,
    async start(httpPort, validitySeconds) {
      launch(CHALLTESTSRV, [
        '-dns01', `127.0.0.1:${String(ports.dns)}`, '-management', `127.0.0.1:${String(ports.dnsManagement)}`,
        '-http01', '', '-https01', '', '-tlsalpn01', '', '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '',
      ], {});
      const served = tlsCa.issue(['127.0.0.1', 'localhost']);
      writeFileSync(join(dir, 'pebble.crt'), served.cert);
      writeFileSync(join(dir, 'pebble.key'), served.key);
      const config = {
        pebble: {
          listenAddress: `127.0.0.1:${String(ports.acme)}`,
          managementListenAddress: `127.0.0.1:${String(ports.management)}`,
          certificate: join(dir, 'pebble.crt'),
          privateKey: join(dir, 'pebble.key'),
          httpPort,
          tlsPort: ports.tls,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
          certificateValidityPeriod: validitySeconds,
        },
      };
      writeFileSync(join(dir, 'pebble.json'), JSON.stringify(config));
      launch(PEBBLE, ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${String(ports.dns)}`], {
        PEBBLE_VA_NOSLEEP: '1',
        PEBBLE_WFE_NONCEREJECT: '0',
        PEBBLE_AUTHZREUSE: '0',
      });
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          const status = await getStatus(ports.acme, '/dir', tlsCa.cert);
          if (status === 200) break;
        } catch (error) {
          if (Date.now() > deadline) throw new Error(`pebble did not start: ${String(error)}\n${printed}`);
        }
        await sleep(100);
      }
    },
    root: () => getText(ports.management, '/roots/0', tlsCa.cert),
    async pointHost(host, address) {
      const body = JSON.stringify({ host: host.endsWith('.') ? host : `${host}.`, addresses: [address] });
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: ports.dnsManagement, path: '/add-a', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`add-a: ${String(res.statusCode)}`))));
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    output: () => printed,
  };
}

async function getStatus(port: number, path: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ca, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function getText(port: number, path: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ca, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}
