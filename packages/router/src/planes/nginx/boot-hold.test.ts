import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';

import { createRouteTable, type AppRoute } from '../../route-table.js';
import { createBootHold } from './boot-hold.js';

function ask(port: number, app: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/x', headers: { host: `${app}.example.test`, 'x-paas-app': app, 'x-request-id': 'abcdefghijklmnopqrstuvwxyz' }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const booting = (name: string): AppRoute => ({ name, domains: [], maintenance: false, state: 'booting', backends: [] });

test('a booting app\'s request waits for its first process, then gets that process\'s answer with the headers nginx set', async (t) => {
  const app = createServer((req, res) => res.end(`${req.url ?? ''} ${String(req.headers['x-request-id'])} ${String(req.headers['x-paas-app'])}`));
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  const hold = await createBootHold({ host: '127.0.0.1', timeoutMs: 10_000 });
  t.after(async () => {
    await hold.close();
    app.close();
  });
  hold.update(createRouteTable([booting('shop')]));
  const answer = ask(hold.port, 'shop');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const backend = { id: 'p1', name: 'web.1', host: '127.0.0.1', port: (app.address() as AddressInfo).port };
  hold.update(createRouteTable([{ ...booting('shop'), state: 'running', backends: [backend] }]));
  const { status, headers, body } = await answer;
  assert.equal(status, 200);
  assert.equal(body, '/x abcdefghijklmnopqrstuvwxyz undefined');
  assert.equal(headers['x-paas-dyno'], 'web.1');
});

test('held past the boot timeout: H20, said to nginx in X-Paas-Code; a crashed app at once: H10', async (t) => {
  const hold = await createBootHold({ host: '127.0.0.1', timeoutMs: 200 });
  t.after(() => hold.close());
  hold.update(createRouteTable([booting('shop'), { ...booting('down'), state: 'crashed' }]));
  const late = await ask(hold.port, 'shop');
  assert.equal(late.status, 503);
  assert.equal(late.headers['x-paas-code'], 'H20');
  const crashed = await ask(hold.port, 'down');
  assert.equal(crashed.status, 503);
  assert.equal(crashed.headers['x-paas-code'], 'H10');
});

test('an app with no web process gets H14 from the newest table, and is served once the table has its process', async (t) => {
  const hold = await createBootHold({ host: '127.0.0.1', timeoutMs: 10_000 });
  t.after(() => hold.close());
  hold.update(createRouteTable([{ ...booting('shop'), state: 'no-web' }]));
  const idle = await ask(hold.port, 'shop');
  assert.equal(idle.status, 503);
  assert.equal(idle.headers['x-paas-code'], 'H14');
  const app = createServer((_req, res) => res.end('served'));
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  t.after(() => app.close());
  const port = (app.address() as AddressInfo).port;
  hold.update(createRouteTable([{ ...booting('shop'), state: 'running', backends: [{ id: 'p1', name: 'web.1', host: '127.0.0.1', port }] }]));
  const served = await ask(hold.port, 'shop');
  assert.equal(served.status, 200);
  assert.equal(served.headers['x-paas-dyno'], 'web.1');
});

test('a websocket to a booting app is not held: H20 at once', async (t) => {
  const hold = await createBootHold({ host: '127.0.0.1', timeoutMs: 10_000 });
  t.after(() => hold.close());
  hold.update(createRouteTable([booting('shop')]));
  const socket = connect(hold.port, '127.0.0.1');
  socket.end('GET / HTTP/1.1\r\nHost: shop.example.test\r\nX-Paas-App: shop\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  assert.match(text, /^HTTP\/1\.1 503 /);
  assert.match(text, /X-Paas-Code: H20/);
});
