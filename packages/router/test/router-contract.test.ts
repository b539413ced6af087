/**
 * One contract for every data plane that applies the route table: the builtin Node
 * router and nginx. Each behaviour is asked of both with real clients on loopback.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

import { createRouteTable, type AppRoute, type RouteTable, type TlsCertificate } from '../src/index.js';
import { createRouter } from '../src/router.js';
import { NGINX, createNginxPlane } from '../src/planes/nginx/nginx-plane.js';
import { ask, startBackend, type TestBackend } from './router-fixture.js';
import { createTestCa, type TestCa } from './test-pki.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

interface PlaneUnderTest {
  readonly port: number;
  readonly tlsPort: number;
  readonly lines: { app: string; line: string }[];
  /** Applies the table and resolves once it is served. */
  apply(table: RouteTable): Promise<void>;
  close(): Promise<void>;
}

/**
 * A port free now, from below Linux's ephemeral range (32768+): a port the kernel handed out for
 * `listen(0)` and that was closed again is the next one it may give another test's listener,
 * which then holds it when nginx binds (nginx retried, the test got that listener's answers).
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    server.close();
    await once(server, 'close');
    return port;
  }
}

const PLANES: Record<string, { missing: () => string | false; start: (platform: TlsCertificate) => Promise<PlaneUnderTest> }> = {
  builtin: {
    missing: () => false,
    async start(platform) {
      const lines: { app: string; line: string }[] = [];
      const router = createRouter({ domain: 'example.test', onAccessLog: (app, line) => lines.push({ app, line }), tls: { certificate: platform, publicPort: 443 } });
      router.server.listen(0, '127.0.0.1');
      router.tlsServer?.listen(0, '127.0.0.1');
      await once(router.server, 'listening');
      if (router.tlsServer?.listening !== true) await once(router.tlsServer as NonNullable<typeof router.tlsServer>, 'listening');
      return {
        port: (router.server.address() as AddressInfo).port,
        tlsPort: (router.tlsServer?.address() as AddressInfo).port,
        lines,
        apply: async (table) => {
          router.update(table);
        },
        close: () => router.close(),
      };
    },
  },
  nginx: {
    missing: () => {
      if (existsSync(NGINX)) return false;
      if (process.env.CI) throw new Error('CI is set but nginx is not installed (.ci/run installs nginx-light)');
      return 'nginx is not installed (apt-get install nginx-light); CI runs this suite';
    },
    async start(platform) {
      const lines: { app: string; line: string }[] = [];
      const errors: string[] = [];
      const runDir = mkdtempSync(join(tmpdir(), 'paas-nginx-'));
      const [port, tlsPort] = [await freePort(), await freePort()];
      const plane = await createNginxPlane({
        domain: 'example.test', runDir, host: '127.0.0.1', httpPort: port, tlsPort, publicTlsPort: 443,
        platformCertificate: platform, onAccessLog: (app, line) => lines.push({ app, line }),
        logger: { warn: () => undefined, error: (fields, message) => errors.push(`${message}: ${String((fields as { err?: { stderr?: string } }).err?.stderr ?? JSON.stringify(fields))}`) },
      });
      return {
        port, tlsPort, lines,
        apply: async (table) => {
          plane.update(table);
          await plane.applied();
          assert.deepEqual(errors, []);
        },
        close: async () => {
          await plane.close();
          rmSync(runDir, { recursive: true, force: true });
        },
      };
    },
  },
};

async function tlsGet(port: number, host: string, ca: string, path = '/'): Promise<{ status: number; body: string; subject: string }> {
  const req = httpsRequest({ host: '127.0.0.1', port, path, servername: host, headers: { host }, ca, agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const subject = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '');
  let body = '';
  res.setEncoding('utf8');
  for await (const chunk of res) body += chunk as string;
  return { status: res.statusCode ?? 0, body, subject };
}

const echo = (name: string): Promise<TestBackend> =>
  startBackend(name, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'public, max-age=60');
    res.end(JSON.stringify({ dyno: name, headers: req.headers }));
  });

interface Echo { dyno: string; headers: Record<string, string> }

for (const [name, plane] of Object.entries(PLANES)) {
  describe(`router contract: ${name}`, { skip: plane.missing() }, () => {
    let ca: TestCa;
    let p: PlaneUnderTest;
    let web: TestBackend;
    let apps: AppRoute[];
    let custom: TlsCertificate;

    test('starts', async () => {
      ca = createTestCa();
      web = await echo('web.1');
      custom = ca.issue(['www.shop.test']);
      p = await plane.start(ca.issue(['*.example.test', 'example.test']));
      apps = [
        { name: 'shop', domains: ['www.shop.test', 'plain.shop.test'], maintenance: false, state: 'running', backends: [web.backend] },
        { name: 'closed', domains: [], maintenance: true, state: 'running', backends: [web.backend] },
        { name: 'idle', domains: [], maintenance: false, state: 'no-web', backends: [] },
        { name: 'broken', domains: [], maintenance: false, state: 'crashed', backends: [] },
        { name: 'secure', domains: [], maintenance: false, state: 'running', backends: [web.backend], redirectHttps: true },
      ];
      await p.apply(createRouteTable(apps, {
        certificates: new Map([['www.shop.test', custom]]),
        challenges: new Map([['tok-1', { host: 'plain.shop.test', keyAuthorization: 'tok-1.thumbprint' }]]),
      }));
    });

    test('routes by Host and custom domain with forwarding headers and the request id', async () => {
      const viaOwn = await ask(p.port, 'shop.example.test', { headers: { 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'https', 'x-request-id': 'r'.repeat(24) } });
      assert.equal(viaOwn.status, 200);
      const seen = (JSON.parse(viaOwn.body) as Echo).headers;
      assert.equal(seen['x-forwarded-proto'], 'http');
      assert.equal(seen['x-forwarded-port'], String(p.port));
      assert.equal(seen['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
      assert.equal(seen['x-request-id'], 'r'.repeat(24));
      assert.match(seen['x-request-start'] ?? '', /^\d{13}$/);
      assert.equal(seen.via, '1.1 paas');
      assert.equal(viaOwn.headers['x-request-id'], 'r'.repeat(24));
      assert.equal(viaOwn.headers.via, '1.1 paas');
      // The app's own caching headers reach the client as it wrote them: only the router's pages say no-store.
      assert.equal(viaOwn.headers['cache-control'], 'public, max-age=60');
      // A client's own proxy chain is appended to, as X-Forwarded-For is.
      const viaDomain = await ask(p.port, 'www.shop.test', { headers: { via: '1.0 fred' } });
      assert.equal(viaDomain.status, 200);
      assert.equal((JSON.parse(viaDomain.body) as Echo).headers.via, '1.0 fred, 1.1 paas');
      assert.match(String(viaDomain.headers['x-request-id']), /^[0-9a-f-]{20,}$/);
    });

    test('unknown hosts get 404; maintenance, no web processes and a crashed app get 503 pages naming the code', async () => {
      const unknown = await ask(p.port, 'nope.example.test');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.headers['cache-control'], 'no-store');
      assert.match(String(unknown.headers['x-request-id']), /^[0-9a-f-]{20,}$/);
      const closed = await ask(p.port, 'closed.example.test');
      assert.equal(closed.status, 503);
      assert.equal(closed.headers['cache-control'], 'no-store');
      assert.match(String(closed.headers['x-request-id']), /^[0-9a-f-]{20,}$/);
      assert.match(closed.body, /Down for maintenance/);
      assert.match(closed.body, /H80/);
      assert.match((await ask(p.port, 'idle.example.test')).body, /H14/);
      assert.match((await ask(p.port, 'broken.example.test')).body, /H10/);
    });

    test('HTTPS by SNI: the platform certificate, a custom domain\'s own; X-Forwarded-Proto https', async () => {
      const own = await tlsGet(p.tlsPort, 'shop.example.test', ca.cert);
      assert.equal(own.subject, '*.example.test');
      assert.equal((JSON.parse(own.body) as Echo).headers['x-forwarded-proto'], 'https');
      assert.equal((JSON.parse(own.body) as Echo).headers['x-forwarded-port'], String(p.tlsPort));
      const domain = await tlsGet(p.tlsPort, 'www.shop.test', ca.cert);
      assert.equal(domain.subject, 'www.shop.test');
      assert.equal(domain.status, 200);
    });

    test('ACME challenges on HTTP for their host; redirects to HTTPS where asked', async () => {
      const answer = await ask(p.port, 'plain.shop.test', { path: '/.well-known/acme-challenge/tok-1' });
      assert.equal(answer.status, 200);
      assert.equal(answer.body, 'tok-1.thumbprint');
      assert.notEqual((await ask(p.port, 'www.shop.test', { path: '/.well-known/acme-challenge/tok-1' })).body, 'tok-1.thumbprint');
      const redirected = await ask(p.port, 'secure.example.test', { path: '/a?b=1' });
      assert.equal(redirected.status, 308);
      assert.equal(redirected.headers.location, 'https://secure.example.test/a?b=1');
    });

    test('websockets, over TLS too', async () => {
      web.server.on('upgrade', (req: IncomingMessage, socket) => {
        const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}${WS_GUID}`).digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        socket.pipe(socket);
      });
      const socket = tlsConnect({ host: '127.0.0.1', port: p.tlsPort, servername: 'shop.example.test', ca: ca.cert });
      await once(socket, 'secureConnect');
      socket.write('GET /ws HTTP/1.1\r\nHost: shop.example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
      let received = '';
      socket.setEncoding('latin1');
      for await (const chunk of socket) {
        received += chunk as string;
        if (received.includes('\r\n\r\n') && !received.includes('echo-me')) socket.write('echo-me');
        if (received.includes('echo-me')) break;
      }
      socket.destroy();
      assert.match(received, /^HTTP\/1\.1 101/);
    });

    test('one Heroku-format access line per request in the app\'s log', async () => {
      await ask(p.port, 'shop.example.test', { path: '/logged' });
      const deadline = Date.now() + 3_000;
      while (!p.lines.some((entry) => entry.line.includes('path="/logged"')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const line = p.lines.find((entry) => entry.line.includes('path="/logged"'));
      assert.equal(line?.app, 'shop');
      assert.match(line?.line ?? '', /^at=info method=GET path="\/logged" host=shop\.example\.test request_id=\S+ fwd="127\.0\.0\.1" dyno=web\.1 connect=\d+ms service=\d+ms status=200 bytes=\d+/);
      const maintenance = p.lines.find((entry) => entry.app === 'closed');
      assert.match(maintenance?.line ?? '', /^at=error code=H80 desc="Maintenance mode"/);
    });

    test('stops', async () => {
      await p.close();
      await web.close();
      ca.remove();
    });
  });
}
