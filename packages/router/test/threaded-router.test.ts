/**
 * The router in its own thread, seen from the main thread: tables, drains, certificates and
 * access lines over messages, and a thread that dies replaced on the same ports.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';

import { createRouteTable, createThreadedRouter, type AccessEntry, type AppRoute, type ThreadedRouter } from '../src/index.js';
import { ask, eventually, startBackend, startNamedBackend, webApp } from './router-fixture.js';
import { createTestCa, type TestCa } from './test-pki.js';

interface Started {
  readonly router: ThreadedRouter;
  readonly ports: { port: number; tlsPort: number };
  readonly lines: { app: string; line: string; entry: AccessEntry }[];
  readonly logged: string[];
  readonly threads: Worker[];
  readonly ca: TestCa;
}

async function startThreaded(): Promise<Started> {
  const ca = createTestCa();
  const lines: Started['lines'] = [];
  const logged: string[] = [];
  const threads: Worker[] = [];
  const note = (_fields: object, message: string): void => {
    logged.push(message);
  };
  const router = createThreadedRouter({
    domain: 'example.test',
    certificate: ca.issue(['*.example.test']),
    publicTlsPort: 8443,
    onAccessLog: (app, line, entry) => lines.push({ app, line, entry }),
    logger: { warn: note, error: note, info: note },
    onThread: (thread) => threads.push(thread),
  });
  const ports = await router.listen('127.0.0.1', { port: 0, tlsPort: 0 });
  return { router, ports, lines, logged, threads, ca };
}

function askTls(port: number, host: string, ca: string): Promise<{ status: number; body: string; subject: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, servername: host, headers: { host }, ca, agent: false }, (res: IncomingMessage) => {
      const subject = (res.socket as unknown as { getPeerCertificate(): { subject: { CN: string } } }).getPeerCertificate().subject.CN;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, subject }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the thread routes by the table it is sent, over HTTP and HTTPS, and sends each request\'s access line', async (t) => {
  const r = await startThreaded();
  const one = await startNamedBackend('web.1');
  const two = await startNamedBackend('web.2');
  t.after(async () => {
    await r.router.close();
    await one.close();
    await two.close();
    r.ca.remove();
  });

  // Before any table: the host is unknown.
  assert.equal((await ask(r.ports.port, 'demo.example.test')).status, 404);

  r.router.update(createRouteTable([webApp('demo', [one.backend])]));
  await r.router.applied();
  const answer = await ask(r.ports.port, 'demo.example.test', { path: '/hello' });
  assert.equal(answer.status, 200);
  assert.equal(answer.body, 'web.1');
  await eventually(() => r.lines.some((l) => l.entry.path === '/hello'));
  const line = r.lines.find((l) => l.entry.path === '/hello');
  assert.equal(line?.app, 'demo');
  assert.match(line?.line ?? '', /^at=info method=GET path="\/hello" host=demo\.example\.test .*dyno=web\.1 .*status=200/);

  const tls = await askTls(r.ports.tlsPort, 'demo.example.test', r.ca.cert);
  assert.deepEqual([tls.status, tls.body, tls.subject], [200, 'web.1', '*.example.test']);

  // A table swapped: the next request goes to the new process, the old is not asked again.
  r.router.update(createRouteTable([webApp('demo', [two.backend])]));
  await r.router.applied();
  assert.equal((await ask(r.ports.port, 'demo.example.test')).body, 'web.2');
  assert.equal(one.hits(), 2);

  // A replaced platform certificate is served to the next connection.
  r.router.setPlatformCertificate(r.ca.issue(['*.example.test', 'other.example.test']));
  r.router.update(createRouteTable([webApp('other', [two.backend])]));
  await r.router.applied();
  assert.equal((await askTls(r.ports.tlsPort, 'other.example.test', r.ca.cert)).body, 'web.2');
});

test('a drain asked after a table update waits for the request still under way to the process taken out', async (t) => {
  const r = await startThreaded();
  let finish: () => void = () => undefined;
  const slow = await startBackend('web.1', (_req, res) => {
    finish = () => res.end('slow');
  });
  const next = await startNamedBackend('web.2');
  t.after(async () => {
    await r.router.close();
    await slow.close();
    await next.close();
    r.ca.remove();
  });
  const app = (backends: AppRoute['backends']): AppRoute => webApp('demo', backends);
  r.router.update(createRouteTable([app([slow.backend])]));
  const under = ask(r.ports.port, 'demo.example.test');
  await eventually(() => slow.hits() === 1);

  r.router.update(createRouteTable([app([next.backend])]));
  let drained = false;
  const drain = r.router.drain(slow.backend.id, 10_000).then(() => (drained = true));
  assert.equal((await ask(r.ports.port, 'demo.example.test')).body, 'web.2');
  assert.equal(drained, false, 'the drain waits for the slow request');
  finish();
  assert.equal((await under).body, 'slow');
  await drain;
  assert.equal(drained, true);
});

test('a router thread that dies is replaced: the same ports, the last table, the last certificate', async (t) => {
  const r = await startThreaded();
  const web = await startNamedBackend('web.1');
  t.after(async () => {
    await r.router.close();
    await web.close();
    r.ca.remove();
  });
  r.router.update(createRouteTable([webApp('demo', [web.backend])]));
  r.router.setPlatformCertificate(r.ca.issue(['*.example.test', 'late.example.test']));
  await r.router.applied();
  assert.equal((await ask(r.ports.port, 'demo.example.test')).status, 200);

  const first = r.threads[0];
  assert.ok(first);
  await first.terminate();
  // Asked while no thread runs, a drain does not wait for its deadline: nothing is under way.
  const drained = await Promise.race([r.router.drain('proc-gone', 60_000).then(() => 'drained'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 10_000))]);
  assert.equal(drained, 'drained');
  await eventually(() => r.logged.includes('the router thread listens again'), 10_000);
  assert.equal(r.threads.length, 2);
  assert.ok(r.logged.includes('the router thread exited; starting a new one'));

  const again = await ask(r.ports.port, 'demo.example.test', { path: '/again' });
  assert.deepEqual([again.status, again.body], [200, 'web.1']);
  assert.equal((await askTls(r.ports.tlsPort, 'late.example.test', r.ca.cert)).status, 404, 'the certificate given before the death covers the name (an unknown app, so 404)');
  await eventually(() => r.lines.some((l) => l.entry.path === '/again'));

  // Asked after the restart, applied() still answers.
  r.router.update(createRouteTable([]));
  await r.router.applied();
  assert.equal((await ask(r.ports.port, 'demo.example.test')).status, 404);
});

test('close ends the thread and a second close is harmless', async () => {
  const r = await startThreaded();
  const thread = r.threads[0];
  assert.ok(thread);
  const exited = once(thread, 'exit');
  await r.router.close();
  await exited;
  await r.router.close();
  r.ca.remove();
  assert.equal(r.threads.length, 1, 'no thread started after close');
});
