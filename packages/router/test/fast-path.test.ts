/**
 * The router's raw fast path against real sockets: what it forwards byte for byte, what it
 * leaves to node's parser, and that a request node would refuse never reaches an app.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';

import { HEAD_END, parseRequestHead } from '../src/http1-wire.js';
import { askRaw, closeServer, eventually, startBackend, startRouter, webApp, type TestRouter } from './router-fixture.js';

/** An app that answers with the raw bytes it is given, whatever the request (for framings node's server would not write). */
async function startRawApp(answer: (request: string) => string, idleCloseMs = 0): Promise<{ port: number; requests: string[]; connections: () => number; close(): Promise<void> }> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections += 1;
    sockets.add(socket);
    if (idleCloseMs > 0) {
      socket.setTimeout(idleCloseMs);
      socket.on('timeout', () => socket.end());
    }
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      let end = buf.indexOf('\r\n\r\n');
      while (end !== -1) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        requests.push(head);
        const reply = answer(head);
        if (reply.endsWith('<close>')) socket.end(reply.slice(0, -'<close>'.length), 'latin1');
        else socket.write(reply, 'latin1');
        end = buf.indexOf('\r\n\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function routeTo(port: number): Promise<TestRouter> {
  return startRouter({}, [webApp('demo', [{ id: `raw-${String(port)}`, name: 'web.1', host: '127.0.0.1', port }])]);
}

/** The status of each response in `text` (these tests' bodies never contain a status line). */
function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

test('pipelined requests are answered in order on one connection', async (t) => {
  const app = await startBackend('web.1', (req, res) => {
    res.end(`path=${req.url ?? ''}\n`);
  });
  const r = await startRouter({}, [webApp('demo', [app.backend])]);
  t.after(async () => {
    await r.close();
    await app.close();
  });
  const requests = ['/one', '/two', '/three'].map((path) => `GET ${path} HTTP/1.1\r\nHost: demo.localhost\r\n\r\n`).join('');
  const answer = await askRaw(r.port, requests);
  assert.deepEqual(statuses(answer), [200, 200, 200]);
  assert.deepEqual([...answer.matchAll(/path=(\/\w+)/g)].map((m) => m[1]), ['/one', '/two', '/three']);
  await eventually(() => r.lines.length === 3);
});

test('a connection moves to node mid-way for what the fast path leaves to it, and keeps working', async (t) => {
  const bodies: string[] = [];
  const app = await startBackend('web.1', (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      bodies.push(`${req.method ?? ''} ${body}`);
      res.end('ok');
    });
  });
  const r = await startRouter({}, [webApp('demo', [app.backend])]);
  t.after(async () => {
    await r.close();
    await app.close();
  });
  // Not half-closed (see askRaw); the last request asks the router to close the connection.
  const answer = await askRaw(
    r.port,
    'POST /a HTTP/1.1\r\nHost: demo.localhost\r\nContent-Length: 5\r\n\r\nfirst' +
      'POST /b HTTP/1.1\r\nHost: demo.localhost\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nsecond\r\n0\r\n\r\n' +
      'GET /c HTTP/1.1\r\nHost: demo.localhost\r\nConnection: close\r\n\r\n',
    true,
  );
  assert.deepEqual(statuses(answer), [200, 200, 200]);
  // node's server passes pipelined requests on as it parses them, so the app may see the last two in either order.
  assert.deepEqual(bodies.sort(), ['GET ', 'POST first', 'POST second']);
});

test('a request node refuses never reaches the app', async (t) => {
  const app = await startBackend('web.1', (_req, res) => res.end('reached'));
  const r = await startRouter({}, [webApp('demo', [app.backend])]);
  t.after(async () => {
    await r.close();
    await app.close();
  });
  const smuggles = [
    'POST / HTTP/1.1\r\nHost: demo.localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: demo.localhost\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: demo.localhost\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd',
    'GET / HTTP/1.1\r\nHost: demo.localhost\r\nX-A: a\r\n b\r\n\r\n',
  ];
  for (const text of smuggles) {
    const answer = await askRaw(r.port, text);
    assert.match(answer, /^HTTP\/1\.1 400 /, JSON.stringify(text));
  }
  assert.equal(app.hits(), 0);
});

test('anything the fast path takes, node reads the same way', async (t) => {
  // Mutations of a valid request: whenever the fast path accepts one, node's own parser must
  // see the same method, target and headers; otherwise the two would disagree about what was sent.
  const seen: { method: string; url: string; rawHeaders: string[] }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders });
    req.resume();
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => closeServer(server));
  const port = (server.address() as AddressInfo).port;
  const base = 'POST /p?q=1 HTTP/1.1\r\nHost: demo.localhost\r\nContent-Length: 3\r\nX-Name: v a l\r\nAccept: */*\r\n\r\nabc';
  const inserts = [' ', '\t', '\r', '\n', '\r\n', ':', '\u0000', '\u007f', '\u00ff', 'a', '0', '-', ',', ' \r\n', '\r\n ', 'Transfer-Encoding: chunked\r\n', 'Content-Length: 3\r\n', 'Host: b\r\n', '%'];
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  let accepted = 0;
  for (let i = 0; i < 600; i += 1) {
    let text = base;
    for (let k = 0; k <= random(2); k += 1) {
      const at = random(text.indexOf('\r\n\r\n') + 2);
      text = text.slice(0, at) + (inserts[random(inserts.length)] as string) + text.slice(at);
    }
    const buf = Buffer.from(text, 'latin1');
    const fast = parseRequestHead(buf, buf.indexOf(HEAD_END));
    if (fast === undefined) continue;
    accepted += 1;
    seen.length = 0;
    const socket = connect({ host: '127.0.0.1', port });
    socket.end(Buffer.concat([buf.subarray(0, buf.indexOf(HEAD_END) + 4), Buffer.alloc(fast.contentLength, 'x')]));
    let reply = '';
    socket.setEncoding('latin1');
    for await (const chunk of socket) reply += chunk as string;
    assert.match(reply, /^HTTP\/1\.1 200 /, `node refused what the fast path took: ${JSON.stringify(text)}`);
    assert.deepEqual(seen, [{ method: fast.method, url: fast.target, rawHeaders: fast.rawHeaders }], JSON.stringify(text));
  }
  assert.ok(accepted >= 50, `only ${String(accepted)} mutations were accepted; the check says little`);
});

test('answers pass through with their own framing: chunks and trailers, HEAD, 1xx, until close', async (t) => {
  const app = await startRawApp((head) => {
    const path = head.split(' ')[1];
    if (path === '/chunked') return 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\n\r\n';
    if (path === '/head') return 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: keep-alive\r\nX-Drop-Me: 1\r\nConnection: X-Drop-Me\r\n\r\n';
    if (path === '/hints') return 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    return 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the app closes<close>';
  });
  const r = await routeTo(app.port);
  t.after(async () => {
    await r.close();
    await app.close();
  });
  const chunked = await askRaw(r.port, 'GET /chunked HTTP/1.1\r\nHost: demo.localhost\r\n\r\n');
  assert.match(chunked, /\r\nTransfer-Encoding: chunked\r\n/);
  assert.ok(chunked.endsWith('\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\n\r\n'), chunked);

  const head = await askRaw(r.port, 'HEAD /head HTTP/1.1\r\nHost: demo.localhost\r\n\r\nGET /hints HTTP/1.1\r\nHost: demo.localhost\r\n\r\n');
  assert.deepEqual(statuses(head), [200, 200], head);
  assert.match(head, /Content-Length: 1000\r\n/);
  assert.doesNotMatch(head, /X-Drop-Me|keep-alive|103|Link:/i);
  assert.ok(head.endsWith('\r\n\r\nok'), head);

  const untilClose = await askRaw(r.port, 'GET /close HTTP/1.1\r\nHost: demo.localhost\r\n\r\nGET /never HTTP/1.1\r\nHost: demo.localhost\r\n\r\n');
  assert.match(untilClose, /\r\nConnection: close\r\n/);
  assert.ok(untilClose.endsWith('\r\n\r\nuntil the app closes'), untilClose);
  assert.deepEqual(statuses(untilClose), [200]);
  await eventually(() => r.lines.length === 4);
  assert.ok(r.lines.every(({ line }) => line.startsWith('at=info ')), JSON.stringify(r.lines));
});

test('an app that answers before reading the whole body: the client gets the answer and the connection ends', async (t) => {
  const app = await startBackend('web.1', (_req, res) => {
    res.writeHead(413, { 'Content-Length': '8' });
    res.end('too big\n');
  });
  const r = await startRouter({}, [webApp('demo', [app.backend])]);
  t.after(async () => {
    await r.close();
    await app.close();
  });
  const socket = connect({ host: '127.0.0.1', port: r.port });
  socket.write('POST /upload HTTP/1.1\r\nHost: demo.localhost\r\nContent-Length: 10000000\r\n\r\n');
  socket.write(Buffer.alloc(64 * 1024, 'x'));
  let reply = '';
  socket.setEncoding('latin1');
  socket.on('error', () => undefined);
  for await (const chunk of socket) reply += chunk as string;
  assert.match(reply, /^HTTP\/1\.1 413 /);
  assert.match(reply, /\r\nConnection: close\r\n/);
  assert.ok(reply.endsWith('too big\n'));
});

test('a chunked answer that breaks its framing is cut short and logged as H18', async (t) => {
  const app = await startRawApp(() => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n');
  const r = await routeTo(app.port);
  t.after(async () => {
    await r.close();
    await app.close();
  });
  const answer = await askRaw(r.port, 'GET / HTTP/1.1\r\nHost: demo.localhost\r\n\r\n');
  assert.match(answer, /^HTTP\/1\.1 200 /);
  // The body, not the head (whose request id may end in 0): no last chunk reached the client.
  const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
  assert.doesNotMatch(body, /(^|\r\n)0\r\n\r\n$/, JSON.stringify(answer));
  await eventually(() => r.lines.length === 1);
  assert.match(r.lines[0]?.line ?? '', /^at=error code=H18 /);
});

test('a keep-alive connection the app closed while idle is not used again', async (t) => {
  // The app says it keeps connections for 30 s but closes them after 300 ms idle.
  const app = await startRawApp(() => 'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=30\r\nContent-Length: 2\r\n\r\nok', 300);
  const r = await routeTo(app.port);
  t.after(async () => {
    await r.close();
    await app.close();
  });
  const first = await askRaw(r.port, 'GET / HTTP/1.1\r\nHost: demo.localhost\r\n\r\n');
  assert.deepEqual(statuses(first), [200]);
  await new Promise((resolve) => setTimeout(resolve, 600));
  const second = await askRaw(r.port, 'GET / HTTP/1.1\r\nHost: demo.localhost\r\n\r\n');
  assert.deepEqual(statuses(second), [200]);
  assert.equal(app.connections(), 2);
  await eventually(() => r.lines.length === 2);
  assert.ok(r.lines.every(({ line }) => line.startsWith('at=info ')));
});

test('an idle connection is closed after the keep-alive timeout, a head that never ends after the headers timeout', async (t) => {
  const app = await startBackend('web.1', (_req, res) => res.end('ok'));
  const r = await startRouter({}, [webApp('demo', [app.backend])]);
  r.router.server.keepAliveTimeout = 300;
  r.router.server.headersTimeout = 2_500;
  t.after(async () => {
    await r.close();
    await app.close();
  });
  const started = Date.now();
  const idle = connect({ host: '127.0.0.1', port: r.port });
  idle.write('GET / HTTP/1.1\r\nHost: demo.localhost\r\n\r\n');
  const slow = connect({ host: '127.0.0.1', port: r.port });
  slow.write('GET / HTTP/1.1\r\nHost: demo.localhost\r\nX-Slow: 1\r\n');
  const closedAt = (socket: Socket): Promise<number> =>
    new Promise((resolve) => {
      socket.on('error', () => undefined);
      socket.resume();
      socket.once('close', () => resolve(Date.now() - started));
    });
  const [idleClosed, slowClosed] = await Promise.all([closedAt(idle), closedAt(slow)]);
  // The sweep runs once a second: within a second of each timeout.
  assert.ok(idleClosed >= 300 && idleClosed < 2_400, `idle connection closed after ${String(idleClosed)} ms`);
  assert.ok(slowClosed >= 2_500 && slowClosed < 4_500, `slow head closed after ${String(slowClosed)} ms`);
});
