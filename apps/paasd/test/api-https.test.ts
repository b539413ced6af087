import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';

import type { AppResource } from '@paas/core';
import WebSocket from 'ws';

import { listenApiTls } from '../src/api-tls.js';
import { FIXTURES, startPlatform } from './platform-under-test.js';
import { TOKEN } from './harness.js';

const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '10', PAAS_STOP_GRACE: '2' };

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

/** An API request over HTTPS that trusts `ca` only (undefined: the system's CAs). */
function apiGet(port: number, path: string, ca: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5000, headers: { authorization: `Bearer ${TOKEN}` }, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

test('the API, git and log streams over HTTPS with the platform certificate; git remotes are handed out as https', { timeout: 300_000 }, async (t) => {
  const tlsPort = await freePort();
  const p = await startPlatform(t, { ...FAST, PAAS_API_TLS_PORT: String(tlsPort) });
  const listener = await listenApiTls(p.h.app, { tls: undefined, dataDir: p.h.dataDir, domain: 'example.test', host: '127.0.0.1' }, tlsPort);
  t.after(() => listener.close());
  assert.equal(listener.port, tlsPort);
  const caFile = listener.caFile ?? '';
  const ca = readFileSync(caFile, 'utf8');

  // The API answers over HTTPS, verified against the platform CA; without it, the client refuses.
  const apps = await apiGet(tlsPort, '/apps', ca);
  assert.equal(apps.status, 200, apps.body);
  await assert.rejects(apiGet(tlsPort, '/apps', undefined), /self[- ]signed|unable to (get|verify)/i);
  // The dashboard's page and assets come over the same listener.
  const page = await apiGet(tlsPort, '/', ca);
  assert.equal(page.status, 200);
  assert.match(page.body, /<html/i);

  // Asked over plain HTTP or HTTPS, the git remote is https on the TLS port.
  await p.h.send('POST', '/apps', { name: 'secure' });
  await p.h.request({ method: 'PUT', url: '/apps/secure/buildpack-installations', payload: { updates: [{ buildpack: 'procfile' }] } });
  const plain = (await p.h.request({ url: '/apps/secure', headers: { host: '127.0.0.1:5100' } })).json<AppResource>();
  assert.equal(plain.git_url, `https://127.0.0.1:${String(tlsPort)}/secure.git`);
  const viaTls = JSON.parse((await apiGet(tlsPort, '/apps/secure', ca)).body) as AppResource;
  assert.equal(viaTls.git_url, `https://127.0.0.1:${String(tlsPort)}/secure.git`);

  // git pushes over HTTPS when it trusts the platform CA, and refuses to when it does not.
  const repo = await p.git.repo('secure', { dir: join(FIXTURES, 'py-web') }, plain.git_url);
  const untrusted = await p.git.run(repo, ['push', 'paas', 'main']);
  assert.notEqual(untrusted.code, 0);
  assert.match(untrusted.out, /SSL certificate problem|certificate/i);
  const pushed = await p.git.run(repo, ['-c', `http.sslCAInfo=${caFile}`, 'push', 'paas', 'main']);
  assert.equal(pushed.code, 0, pushed.out);
  assert.match(pushed.out, /Released v\d|released|Deployed|deploy/i);

  // A log session asked for over HTTPS streams over wss.
  const session = JSON.parse(
    await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: tlsPort, path: '/apps/secure/log-sessions', method: 'POST', ca, agent: false, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ tail: false, lines: 10 }));
    }),
  ) as { logplex_url: string };
  assert.match(session.logplex_url, new RegExp(`^https://127\\.0\\.0\\.1:${String(tlsPort)}/log-sessions/`));
  const frames: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const socket = new WebSocket(session.logplex_url.replace('https', 'wss'), { ca });
    socket.on('message', (data: Buffer) => frames.push(data.toString('utf8')));
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  assert.ok(frames.length > 0);
});
