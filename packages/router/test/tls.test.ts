import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';

import { createRouteTable, type AppRoute, type TlsCertificate } from '../src/index.js';
import { createRouter } from '../src/router.js';
import { ask, startBackend } from './router-fixture.js';
import { createTestCa } from './test-pki.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

interface Echoed {
  readonly status: number;
  readonly body: string;
  readonly peerCertificate: string;
}

/** HTTPS GET on 127.0.0.1 with SNI `host`, verifying against `ca` only. */
async function askTls(port: number, host: string, ca: string, path = '/'): Promise<Echoed> {
  const req = httpsRequest({ host: '127.0.0.1', port, path, servername: host, headers: { host }, ca, agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const socket = res.socket as TLSSocket;
  const peer = socket.getPeerCertificate();
  let body = '';
  res.setEncoding('utf8');
  for await (const chunk of res) body += chunk as string;
  return { status: res.statusCode ?? 0, body, peerCertificate: String(peer.subject?.CN ?? '') };
}

async function startTlsRouter(platform: TlsCertificate, apps: AppRoute[], certificates: Map<string, TlsCertificate>) {
  const router = createRouter({ domain: 'example.test', onAccessLog: () => undefined, tls: { certificate: platform, publicPort: 443 } });
  router.update(createRouteTable(apps, { certificates }));
  router.server.listen(0, '127.0.0.1');
  router.tlsServer?.listen(0, '127.0.0.1');
  await once(router.server, 'listening');
  if (router.tlsServer && !router.tlsServer.listening) await once(router.tlsServer, 'listening');
  return {
    router,
    port: (router.server.address() as AddressInfo).port,
    tlsPort: (router.tlsServer?.address() as AddressInfo).port,
  };
}

const headersEcho = () =>
  startBackend('web.1', (req, res) => {
    res.end(JSON.stringify({ proto: req.headers['x-forwarded-proto'], port: req.headers['x-forwarded-port'], host: req.headers.host }));
  });

test('HTTPS by SNI: the platform certificate, a custom domain\'s own, forwarded headers on both listeners', async (t) => {
  const ca = createTestCa();
  t.after(() => ca.remove());
  const web = await headersEcho();
  const platform = ca.issue(['*.example.test', 'example.test']);
  const custom = ca.issue(['www.custom.test']);
  const r = await startTlsRouter(platform, [{ name: 'demo', domains: ['www.custom.test'], maintenance: false, state: 'running', backends: [web.backend] }], new Map([['www.custom.test', custom]]));
  t.after(async () => {
    await r.router.close();
    await web.close();
  });

  const viaPlatform = await askTls(r.tlsPort, 'demo.example.test', ca.cert);
  assert.equal(viaPlatform.status, 200);
  assert.equal(viaPlatform.peerCertificate, '*.example.test');
  assert.deepEqual(JSON.parse(viaPlatform.body), { proto: 'https', port: String(r.tlsPort), host: 'demo.example.test' });

  const viaCustom = await askTls(r.tlsPort, 'www.custom.test', ca.cert);
  assert.equal(viaCustom.peerCertificate, 'www.custom.test');
  assert.equal((JSON.parse(viaCustom.body) as { proto: string }).proto, 'https');

  const plain = await ask(r.port, 'demo.example.test', { headers: { 'x-forwarded-proto': 'https' } });
  assert.deepEqual(JSON.parse(plain.body), { proto: 'http', port: String(r.port), host: 'demo.example.test' });

  // A client with only the CA refuses a name the certificate does not cover.
  await assert.rejects(askTls(r.tlsPort, 'other.custom.test', ca.cert), /altnames|Hostname\/IP does not match/);

  // curl, a client that is not node, verifying against the CA file.
  const caFile = join(tmpdir(), `paas-ca-${String(process.pid)}.pem`);
  writeFileSync(caFile, ca.cert);
  const { stdout } = await promisify(execFile)('curl', ['-sS', '--cacert', caFile, '--resolve', `www.custom.test:${String(r.tlsPort)}:127.0.0.1`, `https://www.custom.test:${String(r.tlsPort)}/`]);
  assert.equal((JSON.parse(stdout) as { proto: string }).proto, 'https');
});

test('a certificate replaced in the table is served to the next connection; the platform one can be replaced too', async (t) => {
  const ca = createTestCa();
  t.after(() => ca.remove());
  const web = await headersEcho();
  const first = ca.issue(['www.custom.test'], 10);
  const second = ca.issue(['www.custom.test'], 20);
  const apps: AppRoute[] = [{ name: 'demo', domains: ['www.custom.test'], maintenance: false, state: 'running', backends: [web.backend] }];
  const r = await startTlsRouter(ca.issue(['*.example.test']), apps, new Map([['www.custom.test', first]]));
  t.after(async () => {
    await r.router.close();
    await web.close();
  });
  const serial = async (host: string): Promise<string> => {
    const socket = tlsConnect({ host: '127.0.0.1', port: r.tlsPort, servername: host, ca: ca.cert });
    await once(socket, 'secureConnect');
    const cert = socket.getPeerCertificate();
    socket.destroy();
    return cert.serialNumber;
  };
  const before = await serial('www.custom.test');
  r.router.update(createRouteTable(apps, { certificates: new Map([['www.custom.test', second]]) }));
  assert.notEqual(await serial('www.custom.test'), before);

  const platformBefore = await serial('demo.example.test');
  r.router.setPlatformCertificate(ca.issue(['*.example.test']));
  assert.notEqual(await serial('demo.example.test'), platformBefore);
});

test('websockets over TLS, with X-Forwarded-Proto https', async (t) => {
  const ca = createTestCa();
  t.after(() => ca.remove());
  const web = await startBackend('web.1', (_req, res) => res.end());
  let proto: unknown;
  web.server.on('upgrade', (req, socket) => {
    proto = req.headers['x-forwarded-proto'];
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}${WS_GUID}`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.pipe(socket);
  });
  const r = await startTlsRouter(ca.issue(['*.example.test']), [{ name: 'demo', domains: [], maintenance: false, state: 'running', backends: [web.backend] }], new Map());
  t.after(async () => {
    await r.router.close();
    await web.close();
  });
  const socket = tlsConnect({ host: '127.0.0.1', port: r.tlsPort, servername: 'demo.example.test', ca: ca.cert });
  await once(socket, 'secureConnect');
  socket.write('GET /ws HTTP/1.1\r\nHost: demo.example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
  let received = '';
  socket.setEncoding('latin1');
  for await (const chunk of socket) {
    received += chunk as string;
    if (received.includes('\r\n\r\n') && !received.includes('ping')) socket.write('ping');
    if (received.includes('ping')) break;
  }
  socket.destroy();
  assert.match(received, /^HTTP\/1\.1 101/);
  assert.equal(proto, 'https');
});

test('on HTTP: ACME challenges answered for their host only, redirects to HTTPS where the app asks', async (t) => {
  const ca = createTestCa();
  t.after(() => ca.remove());
  const web = await headersEcho();
  const router = createRouter({ domain: 'example.test', onAccessLog: () => undefined, tls: { certificate: ca.issue(['*.example.test']), publicPort: 8443 } });
  const apps: AppRoute[] = [
    { name: 'demo', domains: ['www.custom.test'], maintenance: false, state: 'running', backends: [web.backend], redirectHttps: true },
    { name: 'plain', domains: [], maintenance: false, state: 'running', backends: [web.backend] },
  ];
  router.update(createRouteTable(apps, { challenges: new Map([['tok-1', { host: 'www.custom.test', keyAuthorization: 'tok-1.thumb' }]]) }));
  router.server.listen(0, '127.0.0.1');
  await once(router.server, 'listening');
  const port = (router.server.address() as AddressInfo).port;
  t.after(async () => {
    await router.close();
    await web.close();
  });
  const challenge = await ask(port, 'www.custom.test', { path: '/.well-known/acme-challenge/tok-1' });
  assert.equal(challenge.status, 200);
  assert.equal(challenge.body, 'tok-1.thumb');
  // Another host, or another token: not the answer (here the app's redirect applies).
  assert.equal((await ask(port, 'demo.example.test', { path: '/.well-known/acme-challenge/tok-1' })).status, 308);
  assert.equal((await ask(port, 'nope.example.test', { path: '/.well-known/acme-challenge/tok-1' })).status, 404);

  const redirected = await ask(port, 'www.custom.test', { path: '/a/b?c=1' });
  assert.equal(redirected.status, 308);
  assert.equal(redirected.headers.location, 'https://www.custom.test:8443/a/b?c=1');
  assert.equal((await ask(port, 'plain.example.test')).status, 200);
});
