import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, request, type IncomingMessage } from 'node:http';
import { test } from 'node:test';

import {
  ask,
  eventually,
  startBackend,
  startNamedBackend,
  startRouter,
  webApp,
} from './router-fixture.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('balances round robin over the web processes', async (t) => {
  const backends = await Promise.all(['web.1', 'web.2', 'web.3'].map(startNamedBackend));
  const r = await startRouter({}, [webApp('demo', backends.map((b) => b.backend))]);
  t.after(async () => {
    await r.close();
    await Promise.all(backends.map((b) => b.close()));
  });
  const agent = new Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  const names: string[] = [];
  for (let i = 0; i < 6; i += 1) names.push((await ask(r.port, `demo.localhost:${String(r.port)}`, { agent })).body);
  assert.deepEqual(names, ['web.1', 'web.2', 'web.3', 'web.1', 'web.2', 'web.3']);
});

test('a table swap under load fails no request', async (t) => {
  // Answers a little later, so requests are in flight at the moment of the swap.
  const slow = (name: string) => startBackend(name, (_req, res) => {
    setTimeout(() => res.end(name), 2);
  });
  const old = await Promise.all(['old.1', 'old.2'].map(slow));
  const fresh = await Promise.all(['new.1', 'new.2'].map(slow));
  const r = await startRouter({}, [webApp('demo', old.map((b) => b.backend))]);
  const agent = new Agent({ keepAlive: true, maxSockets: 20 });
  t.after(async () => {
    agent.destroy();
    await r.close();
    await Promise.all([...old, ...fresh].map((b) => b.close()));
  });

  const seen = new Map<string, number>();
  const failures: string[] = [];
  let running = true;
  const client = async () => {
    while (running) {
      try {
        const answer = await ask(r.port, 'demo.localhost', { agent });
        if (answer.status !== 200) failures.push(`${String(answer.status)} ${answer.body.slice(0, 80)}`);
        else seen.set(answer.body, (seen.get(answer.body) ?? 0) + 1);
      } catch (err) {
        failures.push(String(err));
      }
    }
  };
  const clients = Array.from({ length: 20 }, client);
  await new Promise((resolve) => setTimeout(resolve, 300));
  // The deploy: switch the router, then stop the old processes (as the process manager does).
  r.setApps([webApp('demo', fresh.map((b) => b.backend))]);
  await Promise.all(old.map((b) => b.stop()));
  await new Promise((resolve) => setTimeout(resolve, 300));
  running = false;
  await Promise.all(clients);

  assert.deepEqual(failures, [], r.lines.filter((entry) => entry.line.startsWith('at=error')).map((entry) => entry.line).join('\n'));
  for (const name of ['old.1', 'old.2', 'new.1', 'new.2']) assert.ok((seen.get(name) ?? 0) > 0, `${name} served`);
});

test('sets forwarding headers and keeps or makes the request id', async (t) => {
  const echo = await startBackend('web.1', (req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Request-Id', 'the-app-cannot-override-this');
    res.end(JSON.stringify(req.headers));
  });
  const r = await startRouter({}, [webApp('demo', [echo.backend])]);
  t.after(async () => {
    await r.close();
    await echo.close();
  });

  const sane = 'client-chosen-id-0123456789';
  const before = Date.now();
  const answer = await ask(r.port, 'demo.localhost', {
    headers: {
      'X-Request-Id': sane,
      'X-Forwarded-For': '203.0.113.9',
      'X-Forwarded-Host': 'evil.example',
      'X-Forwarded-Proto': 'https',
      Connection: 'keep-alive, X-Hop',
      'X-Hop': 'secret',
      'X-Kept': 'yes',
    },
  });
  const seen = JSON.parse(answer.body) as Record<string, string>;
  assert.equal(answer.headers['x-request-id'], sane);
  assert.equal(seen['x-request-id'], sane);
  assert.equal(seen['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
  assert.equal(seen['x-forwarded-proto'], 'http');
  assert.equal(seen['x-forwarded-port'], String(r.port));
  assert.equal(seen['x-forwarded-host'], undefined);
  assert.equal(seen['x-hop'], undefined);
  assert.equal(seen['x-kept'], 'yes');
  assert.equal(seen.host, 'demo.localhost');
  const start = Number(seen['x-request-start']);
  assert.ok(start >= before && start <= Date.now(), `X-Request-Start ${String(start)}`);

  const generated = await ask(r.port, 'demo.localhost', { headers: { 'X-Request-Id': 'too short' } });
  const id = generated.headers['x-request-id'];
  assert.match(String(id), UUID);
  assert.equal((JSON.parse(generated.body) as Record<string, string>)['x-request-id'], id);
  assert.equal((JSON.parse(generated.body) as Record<string, string>)['x-forwarded-for'], '127.0.0.1');
});

test('routes custom domains', async (t) => {
  const web = await startNamedBackend('web.1');
  const r = await startRouter({}, [webApp('shop', [web.backend], { domains: ['www.shop.test'] })]);
  t.after(async () => {
    await r.close();
    await web.close();
  });
  assert.equal((await ask(r.port, 'WWW.Shop.Test:8080')).body, 'web.1');
  assert.equal((await ask(r.port, 'shop.localhost')).body, 'web.1');
  assert.equal((await ask(r.port, 'shop.test')).status, 404);
});

test('streams request and response bodies both ways', async (t) => {
  // The app echoes every chunk it receives at once, upper-cased, without waiting for the end.
  const echo = await startBackend('web.1', (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    req.on('data', (chunk: Buffer) => res.write(chunk.toString().toUpperCase()));
    req.on('end', () => res.end('|end'));
  });
  const r = await startRouter({}, [webApp('demo', [echo.backend])]);
  t.after(async () => {
    await r.close();
    await echo.close();
  });

  const req = request({ host: '127.0.0.1', port: r.port, method: 'POST', path: '/upload', headers: { host: 'demo.localhost' }, agent: false });
  req.flushHeaders();
  req.write('first');
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.setEncoding('utf8');
  const chunks = res[Symbol.asyncIterator]();
  // The first chunk comes back while the request body is still open: nothing is buffered whole.
  assert.equal((await chunks.next()).value, 'FIRST');
  req.write('second');
  assert.equal((await chunks.next()).value, 'SECOND');
  req.end();
  let rest = '';
  for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) rest += next.value as string;
  assert.equal(rest, '|end');
  assert.equal(res.headers['transfer-encoding'], 'chunked');

  // A large fixed-length body passes intact.
  const big = 'x'.repeat(3 * 1024 * 1024);
  const answer = await ask(r.port, 'demo.localhost', { method: 'PUT', body: big });
  assert.equal(answer.body.length, big.length + 4);
});

test('writes one Heroku-format access line per request', async (t) => {
  const web = await startBackend('web.1', (_req, res) => {
    res.end('hello');
  });
  const r = await startRouter({}, [webApp('demo', [web.backend])]);
  t.after(async () => {
    await r.close();
    await web.close();
  });
  await ask(r.port, 'demo.localhost', { path: '/a/"quoted"?q=1', headers: { 'X-Request-Id': 'abcdefghijklmnopqrstuvwxyz' } });
  await eventually(() => r.lines.length === 1);
  const [entry] = r.lines;
  assert.equal(entry?.app, 'demo');
  assert.match(
    entry?.line ?? '',
    /^at=info method=GET path="\/a\/\\"quoted\\"\?q=1" host=demo\.localhost request_id=abcdefghijklmnopqrstuvwxyz fwd="127\.0\.0\.1" dyno=web\.1 connect=\d+ms service=\d+ms status=200 bytes=\d+ protocol=http$/,
  );
  const bytes = Number(/bytes=(\d+)/.exec(entry?.line ?? '')?.[1]);
  assert.ok(bytes > 'hello'.length && bytes < 400, `bytes=${String(bytes)} counts the response sent`);
});
