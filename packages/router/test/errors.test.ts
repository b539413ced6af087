import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';

import {
  ask,
  askRaw,
  deadBackend,
  eventually,
  startBackend,
  startNamedBackend,
  startRouter,
  webApp,
} from './router-fixture.js';

test('400 for duplicate or missing Host headers', async (t) => {
  const web = await startNamedBackend('web.1');
  const r = await startRouter({}, [webApp('demo', [web.backend])]);
  t.after(async () => {
    await r.close();
    await web.close();
  });
  const twice = await askRaw(r.port, 'GET / HTTP/1.1\r\nHost: demo.localhost\r\nHost: other.localhost\r\nConnection: close\r\n\r\n');
  assert.match(twice, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(twice, /more than one Host header/);
  const none = await askRaw(r.port, 'GET / HTTP/1.0\r\n\r\n');
  assert.match(none, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(none, /no Host header/);
  assert.equal(web.hits(), 0);
});

test('404 names the unknown host, escaped', async (t) => {
  const r = await startRouter();
  t.after(() => r.close());
  const answer = await ask(r.port, 'ghost.localhost:8080');
  assert.equal(answer.status, 404);
  assert.match(answer.body, /No such app/);
  assert.match(answer.body, /ghost\.localhost/);
  assert.match(String(answer.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  const sneaky = await ask(r.port, '<img src=x onerror=alert(1)>.localhost');
  assert.equal(sneaky.status, 404);
  assert.ok(!sneaky.body.includes('<img'), sneaky.body);
  assert.match(sneaky.body, /&lt;img src=x onerror=alert\(1\)&gt;\.localhost/);
  assert.equal(r.lines.length, 0, 'no app, no app log line');
});

test('503 pages for maintenance, no web processes and a crashed app', async (t) => {
  const web = await startNamedBackend('web.1');
  const r = await startRouter({}, [
    webApp('resting', [web.backend], { maintenance: true }),
    webApp('idle', [], { state: 'no-web' }),
    webApp('broken', [], { state: 'crashed' }),
  ]);
  t.after(async () => {
    await r.close();
    await web.close();
  });

  const cases = [
    { host: 'resting.localhost', code: 'H80', title: 'Down for maintenance', desc: 'Maintenance mode' },
    { host: 'idle.localhost', code: 'H14', title: 'No web processes running', desc: 'No web processes running' },
    { host: 'broken.localhost', code: 'H10', title: 'App crashed', desc: 'App crashed' },
  ];
  for (const { host, code, title } of cases) {
    const page = await ask(r.port, host);
    assert.equal(page.status, 503, host);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(String(page.headers['retry-after']), /^\d+$/);
    assert.match(page.body, new RegExp(`<h1>${title}</h1>`));
    assert.match(page.body, new RegExp(`\\(${code}\\)`));
    const plain = await ask(r.port, host, { headers: { Accept: 'text/plain' } });
    assert.match(String(plain.headers['content-type']), /^text\/plain/);
    assert.match(plain.body, new RegExp(`^${title} \\(${code}\\)\n`));
  }
  assert.equal(web.hits(), 0, 'maintenance contacts no process');
  await eventually(() => r.lines.length === 6);
  for (const { host, code, desc } of cases) {
    const line = r.lines.find((entry) => entry.line.includes(`host=${host}`))?.line ?? '';
    assert.match(line, new RegExp(`^at=error code=${code} desc="${desc}" method=GET path="/" host=${host.replace(/\./g, '\\.')} request_id=\\S+ fwd="127\\.0\\.0\\.1" dyno= connect= service= status=503 bytes=\\d+ protocol=http$`));
  }
});

test('504 when the app sends nothing in time (H12)', async (t) => {
  const silent = await startBackend('web.1', () => {
    // never answers
  });
  const r = await startRouter({ firstByteTimeoutMs: 150 }, [webApp('demo', [silent.backend])]);
  t.after(async () => {
    await r.close();
    await silent.close();
  });
  const started = Date.now();
  const page = await ask(r.port, 'demo.localhost');
  assert.equal(page.status, 504);
  assert.ok(Date.now() - started >= 140);
  assert.match(page.body, /Request timeout/);
  await eventually(() => r.lines.length === 1);
  assert.match(r.lines[0]?.line ?? '', /^at=error code=H12 desc="Request timeout" method=GET path="\/" host=demo\.localhost request_id=\S+ fwd="127\.0\.0\.1" dyno=web\.1 connect=\d+ms service=\d+ms status=504 bytes=\d+ protocol=http$/);
});

test('502 when the app closes the connection without a response (H13)', async (t) => {
  const rude = await startBackend('web.1', (req) => {
    req.socket.destroy();
  });
  const r = await startRouter({}, [webApp('demo', [rude.backend])]);
  t.after(async () => {
    await r.close();
    await rude.close();
  });
  const page = await ask(r.port, 'demo.localhost');
  assert.equal(page.status, 502);
  assert.match(page.body, /Connection closed without response/);
  assert.equal(rude.hits(), 2, 'a GET whose connection was reset before any answer is tried once more');
  await eventually(() => r.lines.length === 1);
  assert.match(r.lines[0]?.line ?? '', /^at=error code=H13 desc="Connection closed without response" .* status=502 /);
  const post = await ask(r.port, 'demo.localhost', { method: 'POST', body: 'once only' });
  assert.equal(post.status, 502);
  assert.equal(rude.hits(), 3, 'a POST is never sent twice');
});

test('502 when the app answers with something that is not HTTP (H17)', async (t) => {
  const garbage = createNetServer((socket) => {
    socket.once('data', () => socket.end('SPDY/9 what?\r\n\r\n'));
  });
  garbage.listen(0, '127.0.0.1');
  await once(garbage, 'listening');
  const port = (garbage.address() as AddressInfo).port;
  const r = await startRouter({}, [webApp('demo', [{ id: 'garbage', name: 'web.1', host: '127.0.0.1', port }])]);
  t.after(async () => {
    await r.close();
    garbage.close();
  });
  const page = await ask(r.port, 'demo.localhost');
  assert.equal(page.status, 502);
  assert.match(page.body, /H17/);
  await eventually(() => r.lines.length === 1);
  assert.match(r.lines[0]?.line ?? '', /^at=error code=H17 desc="Poorly formatted HTTP response" .* status=502 /);
});

test('a response cut short is logged as H18', async (t) => {
  const cut = await startBackend('web.1', (_req, res) => {
    res.writeHead(200, { 'Content-Length': '100' });
    res.write('partial');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  const r = await startRouter({}, [webApp('demo', [cut.backend])]);
  t.after(async () => {
    await r.close();
    await cut.close();
  });
  await assert.rejects(ask(r.port, 'demo.localhost'));
  await eventually(() => r.lines.length === 1);
  assert.match(r.lines[0]?.line ?? '', /^at=error code=H18 desc="Server Request Interrupted" .* status=200 /);
});

test('a refused connection is retried on the next process; all refused is a 503', async (t) => {
  const live = await startNamedBackend('web.2');
  const dead = await deadBackend('web.1');
  const r = await startRouter({}, [webApp('demo', [dead, live.backend]), webApp('gone', [await deadBackend('web.1')])]);
  t.after(async () => {
    await r.close();
    await live.close();
  });
  for (let i = 0; i < 4; i += 1) {
    const answer = await ask(r.port, 'demo.localhost', { method: 'POST', body: 'payload' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'web.2');
  }
  const page = await ask(r.port, 'gone.localhost', { headers: { Accept: 'text/plain' } });
  assert.equal(page.status, 503);
  assert.match(String(page.headers['retry-after']), /^\d+$/);
  assert.match(page.body, /^App not responding \(H21\)\n/);
  await eventually(() => r.lines.some((entry) => entry.app === 'gone'));
  assert.match(r.lines.find((entry) => entry.app === 'gone')?.line ?? '', /^at=error code=H21 desc="Backend connection refused" .* dyno=web\.1 .* status=503 /);
});

test('a booting app holds requests until a process is up, then H20 after the boot timeout', async (t) => {
  const web = await startNamedBackend('web.1');
  const r = await startRouter({ bootTimeoutMs: 300 }, [webApp('demo', [], { state: 'booting' }), webApp('slow', [], { state: 'booting' })]);
  t.after(async () => {
    await r.close();
    await web.close();
  });
  const waiting = ask(r.port, 'demo.localhost');
  await new Promise((resolve) => setTimeout(resolve, 50));
  r.setApps([webApp('demo', [web.backend]), webApp('slow', [], { state: 'booting' })]);
  assert.equal((await waiting).body, 'web.1');
  const page = await ask(r.port, 'slow.localhost');
  assert.equal(page.status, 503);
  assert.match(page.body, /H20/);
});
