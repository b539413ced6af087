import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';

import { askRaw, deadBackend, eventually, startNamedBackend, startRouter, webApp } from './router-fixture.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A masked client text frame (RFC 6455 §5.2), as a browser would send. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/** Reads from `socket` until `done(received)` holds. */
function readUntil(socket: Socket, done: (received: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (done(received)) {
        socket.off('data', onData);
        resolve(received);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => {
      reject(new Error(`closed after ${received.toString('latin1')}`));
    });
  });
}

test('tunnels a websocket upgrade with forwarding headers', async (t) => {
  const web = await startNamedBackend('web.1');
  let seen: IncomingHttpHeaders = {};
  web.server.on('upgrade', (req, socket, head: Buffer) => {
    seen = req.headers;
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}${WS_GUID}`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    // Echo every byte back: enough to see the tunnel carries both ways.
    if (head.length > 0) socket.write(head);
    socket.pipe(socket);
  });
  const r = await startRouter({}, [webApp('demo', [web.backend])]);
  t.after(async () => {
    await r.close();
    await web.close();
  });

  const key = randomBytes(16).toString('base64');
  const client = connect({ host: '127.0.0.1', port: r.port });
  t.after(() => client.destroy());
  const first = textFrame('sent with the handshake');
  client.write(
    `GET /cable?x=1 HTTP/1.1\r\nHost: demo.localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nX-Forwarded-Host: evil.example\r\n\r\n`,
  );
  client.write(first);
  const answer = await readUntil(client, (data) => {
    const end = data.indexOf('\r\n\r\n');
    return end !== -1 && data.length >= end + 4 + first.length;
  });
  const end = answer.indexOf('\r\n\r\n');
  const head = answer.subarray(0, end).toString('latin1');
  assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(head, /\r\nX-Request-Id: [0-9a-f-]{36}\r\n/);
  const accept = createHash('sha1').update(`${key}${WS_GUID}`).digest('base64');
  assert.ok(head.includes(`Sec-WebSocket-Accept: ${accept}`));
  assert.deepEqual(answer.subarray(end + 4), first);

  const second = textFrame('and another after');
  client.write(second);
  assert.deepEqual(await readUntil(client, (data) => data.length >= second.length), second);

  assert.equal(seen.upgrade, 'websocket');
  assert.equal(seen.connection, 'Upgrade');
  assert.equal(seen['x-forwarded-for'], '127.0.0.1');
  assert.equal(seen['x-forwarded-proto'], 'http');
  assert.equal(seen['x-forwarded-port'], String(r.port));
  assert.equal(seen['x-forwarded-host'], undefined);
  assert.equal(seen['x-request-id'], /X-Request-Id: (\S+)/.exec(head)?.[1]);
  await eventually(() => r.lines.length === 1);
  // Closing the router ends open tunnels rather than waiting for them forever.
  const clientClosed = new Promise((resolve) => client.once('close', resolve));
  await r.close();
  await clientClosed;
  assert.match(r.lines[0]?.line ?? '', /^at=info method=GET path="\/cable\?x=1" host=demo\.localhost request_id=\S+ fwd="127\.0\.0\.1" dyno=web\.1 connect=\d+ms service=\d+ms status=101 bytes=\d+ protocol=http$/);
});

test('upgrade errors get the same pages: unknown host, refused, maintenance', async (t) => {
  const r = await startRouter({}, [
    webApp('gone', [await deadBackend('web.1')]),
    webApp('resting', [], { maintenance: true }),
  ]);
  t.after(() => r.close());
  const upgrade = (host: string) =>
    askRaw(r.port, `GET / HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\n\r\n`);
  assert.match(await upgrade('ghost.localhost'), /^HTTP\/1\.1 404 Not Found\r\n[^]*No such app/);
  const refused = await upgrade('gone.localhost');
  assert.match(refused, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
  assert.match(refused, /\r\nRetry-After: \d+\r\n/);
  assert.match(refused, /H21/);
  assert.match(await upgrade('resting.localhost'), /^HTTP\/1\.1 503 [^]*H80/);
  await eventually(() => r.lines.length === 2);
  assert.match(r.lines.find((entry) => entry.app === 'gone')?.line ?? '', /^at=error code=H21 /);
});
