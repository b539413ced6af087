import assert from 'node:assert/strict';
import { test } from 'node:test';

import { REQUEST_ID_PATTERN, addForwardedHeaders, clientAddress, readRequestHead, responseHeaders } from './forwarded-headers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('keeps end-to-end headers, drops hop-by-hop and client-claimed forwarding headers', () => {
  const head = readRequestHead([
    'Host', 'demo.localhost',
    'Accept', 'text/plain',
    'Connection', 'keep-alive, X-Secret',
    'Keep-Alive', 'timeout=5',
    'X-Secret', 'hop',
    'Proxy-Authorization', 'Basic eA==',
    'TE', 'trailers',
    'Upgrade', 'WebSocket',
    'X-Forwarded-Host', 'evil.example',
    'X-Forwarded-Proto', 'https',
    'X-Forwarded-Port', '443',
    'X-Request-Start', '1',
    'X-Real-IP', '127.0.0.1',
    'x-client-ip', '127.0.0.1',
    'True-Client-IP', '127.0.0.1',
    'X-Forwarded-Ssl', 'on',
    'X-Forwarded-For', '10.0.0.1',
    'x-forwarded-for', '10.0.0.2',
    'Cookie', 'a=1',
    'Cookie', 'b=2',
    'Content-Length', '3',
  ]);
  assert.deepEqual(head.headers, ['Host', 'demo.localhost', 'Accept', 'text/plain', 'Cookie', 'a=1', 'Cookie', 'b=2', 'Content-Length', '3']);
  assert.equal(head.hostCount, 1);
  assert.equal(head.forwardedFor, '10.0.0.1, 10.0.0.2');
  assert.equal(head.upgrade, 'websocket');
  assert.equal(head.accept, 'text/plain');
  assert.equal(head.hasBody, true);
  assert.match(head.requestId, UUID);
});

test('counts Host headers and knows when there is a body', () => {
  assert.equal(readRequestHead(['Host', 'a', 'host', 'b']).hostCount, 2);
  assert.equal(readRequestHead([]).hostCount, 0);
  assert.equal(readRequestHead(['Content-Length', '0']).hasBody, false);
  const chunked = readRequestHead(['Transfer-Encoding', 'chunked']);
  assert.equal(chunked.hasBody, true);
  // Hop-by-hop: the upstream client frames the body it forwards itself.
  assert.deepEqual(chunked.headers, []);
});

test('keeps a sane client request id, replaces any other', () => {
  const sane = 'abcDEF0123456789+/=._-xyz';
  assert.ok(REQUEST_ID_PATTERN.test(sane));
  assert.equal(readRequestHead(['X-Request-Id', sane]).requestId, sane);
  for (const bad of ['short', 'has space in it 0123456789', 'x'.repeat(201), 'quote"0123456789012345678']) {
    assert.match(readRequestHead(['X-Request-Id', bad]).requestId, UUID, bad);
  }
});

test('adds the router\'s forwarding headers, appending to X-Forwarded-For and Via', () => {
  const head = readRequestHead(['Host', 'demo.localhost', 'X-Forwarded-For', '10.0.0.1', 'X-Request-Id', 'r'.repeat(20), 'Via', '1.0 fred', 'via', 'HTTP/1.1 cache']);
  assert.equal(addForwardedHeaders(head, '127.0.0.1', 'http', 8080, 1700000000000), '10.0.0.1, 127.0.0.1');
  assert.deepEqual(head.headers, [
    'Host', 'demo.localhost',
    'X-Request-Id', 'r'.repeat(20),
    'X-Forwarded-For', '10.0.0.1, 127.0.0.1',
    'X-Forwarded-Proto', 'http',
    'X-Forwarded-Port', '8080',
    'X-Request-Start', '1700000000000',
    'Via', '1.0 fred, HTTP/1.1 cache, 1.1 paas',
  ]);
  const direct = readRequestHead(['Host', 'demo.localhost']);
  addForwardedHeaders(direct, '127.0.0.1', 'https', 8443, 1);
  assert.deepEqual(direct.headers.slice(-2), ['Via', '1.1 paas']);
  assert.equal(clientAddress('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(clientAddress('::1'), '::1');
});

test('cleans the app\'s response headers and returns the request id, with the router after the app in Via', () => {
  assert.deepEqual(
    responseHeaders(
      ['Content-Type', 'text/plain', 'Connection', 'keep-alive, X-Hop', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked',
        'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'X-Request-Id', 'app-chose-this', 'X-Hop', 'x', 'Via', '1.1 app-cache'].map((text) => Buffer.from(text)),
      'req-1',
    ),
    ['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Via', '1.1 app-cache', 'X-Request-Id', 'req-1', 'Via', '1.1 paas'],
  );
  // Bytes outside ASCII go back out as they came (node writes header strings as latin-1).
  const [, value] = responseHeaders([Buffer.from('X-Name'), Buffer.from([0x63, 0x61, 0x66, 0xe9])], 'req-1');
  assert.deepEqual(Buffer.from(value ?? '', 'latin1'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
});
