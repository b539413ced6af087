import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ChunkedBody, HEAD_END, WireError, parseRequestHead, parseResponseHead } from './http1-wire.js';

function request(text: string): ReturnType<typeof parseRequestHead> {
  const buf = Buffer.from(text, 'latin1');
  return parseRequestHead(buf, buf.indexOf(HEAD_END));
}

function response(text: string, method = 'GET'): ReturnType<typeof parseResponseHead> {
  const buf = Buffer.from(text, 'latin1');
  return parseResponseHead(buf, buf.indexOf(HEAD_END), method);
}

test('reads a plain request head: method, target, headers as sent, body length', () => {
  const head = request('POST /a?b=1 HTTP/1.1\r\nHost: demo.localhost\r\nContent-Length: 12\r\nX-Thing:  two words \t\r\nConnection: keep-alive, close\r\n\r\n');
  assert.deepEqual(head, {
    method: 'POST',
    target: '/a?b=1',
    rawHeaders: ['Host', 'demo.localhost', 'Content-Length', '12', 'X-Thing', 'two words', 'Connection', 'keep-alive, close'],
    contentLength: 12,
    close: true,
  });
  assert.equal(request('GET / HTTP/1.1\r\nhost: x\r\n\r\n')?.contentLength, 0);
});

test('leaves every unusual request to node: versions, framing, upgrades, odd bytes', () => {
  const refused = {
    'HTTP/1.0': 'GET / HTTP/1.0\r\nHost: x\r\n\r\n',
    'chunked body': 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
    'length and chunked': 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    'two lengths': 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n',
    'signed length': 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\n',
    'expect': 'POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n',
    'upgrade': 'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    'no host': 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n',
    'two hosts': 'GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n',
    'obs-fold': 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n',
    'bare LF': 'GET / HTTP/1.1\r\nHost: x\nX-A: a\r\n\r\n',
    'bare CR': 'GET / HTTP/1.1\r\nHost: x\rX-A: a\r\n\r\n',
    'space before colon': 'GET / HTTP/1.1\r\nHost : x\r\n\r\n',
    'NUL in a value': 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n',
    'high byte': 'GET / HTTP/1.1\r\nHost: x\r\nX-A: caf\u00e9\r\n\r\n',
    'absolute form': 'GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n',
    'CONNECT': 'CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n',
    'lower-case method': 'get / HTTP/1.1\r\nHost: x\r\n\r\n',
    'tab in target': 'GET /a\tb HTTP/1.1\r\nHost: x\r\n\r\n',
    'two spaces': 'GET  / HTTP/1.1\r\nHost: x\r\n\r\n',
  };
  for (const [why, text] of Object.entries(refused)) assert.equal(request(text), undefined, why);
});

test('reads an app answer head and decides its framing', () => {
  const cases: [string, string, string, boolean][] = [
    ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', 'GET', 'length', true],
    ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 'GET', 'none', true],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'GET', 'chunked', true],
    ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', 'GET', 'chunked', true],
    ['HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n', 'GET', 'close', false],
    ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', 'HEAD', 'none', true],
    ['HTTP/1.1 204 No Content\r\n\r\n', 'GET', 'none', true],
    ['HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n', 'GET', 'none', true],
    ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\n', 'GET', 'length', false],
    ['HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n', 'GET', 'length', false],
    ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\n', 'GET', 'length', true],
  ];
  for (const [text, method, framing, keepAlive] of cases) {
    const head = response(text, method);
    assert.equal(head.framing, framing, text);
    assert.equal(head.keepAlive, keepAlive, text);
  }
  const head = response('HTTP/1.1 201\r\nKeep-Alive: timeout=5, max=100\r\nX-Name: caf\u00e9\r\nContent-Length: 2\r\n\r\n');
  assert.equal(head.status, 201);
  assert.equal(head.keepAliveHintMs, 5_000);
  // Header lines pass on as the app wrote them, byte for byte (here UTF-8, read as latin1).
  assert.equal(head.forwardHead.toString('latin1'), 'HTTP/1.1 201 Created\r\nX-Name: caf\u00e9\r\nContent-Length: 2\r\n');
});

test('an answer that is not HTTP is an error, not a guess', () => {
  const bad = [
    'SSH-2.0-OpenSSH\r\n\r\n',
    'HTTP/2 200\r\n\r\n',
    'HTTP/1.1 20 OK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-A: a\nX-B: b\r\n\r\n',
    'HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n',
  ];
  for (const text of bad) assert.throws(() => response(text), WireError, text);
});

test('follows a chunked body to its end however its bytes are split', () => {
  const body = Buffer.from('5\r\nhello\r\n1;ext=1\r\n \r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: yes\r\n\r\n', 'latin1');
  const tail = Buffer.from('NEXT');
  const whole = Buffer.concat([body, tail]);
  assert.equal(new ChunkedBody().feed(whole), body.length);
  for (let split = 1; split < whole.length; split += 1) {
    const chunks = new ChunkedBody();
    const first = chunks.feed(whole.subarray(0, split));
    if (split >= body.length) {
      assert.equal(first, body.length);
      continue;
    }
    assert.equal(first, -1);
    assert.equal(chunks.feed(whole.subarray(split)), body.length - split);
    assert.equal(chunks.done, true);
  }
  // A single byte at a time.
  const slow = new ChunkedBody();
  let ended = -1;
  for (let i = 0; i < body.length && ended === -1; i += 1) ended = slow.feed(body.subarray(i, i + 1));
  assert.equal(ended, 1);
  assert.equal(slow.done, true);
});

test('malformed chunks are errors', () => {
  for (const text of ['x\r\n', '5\r\nhelloX\r\n', '5\nhello', '\r\n', '1234567890abc\r\n', '0\r\nX: y\n\r\n']) {
    assert.throws(() => new ChunkedBody().feed(Buffer.from(text, 'latin1')), WireError, JSON.stringify(text));
  }
});

test('the head passed on: hop-by-hop headers out, chunked framing kept whole, a Date and a reason filled in', () => {
  const text =
    'HTTP/1.1 200\r\nX-Listed: 1\r\nConnection: keep-alive, X-Listed\r\nKeep-Alive: timeout=5\r\nProxy-Thing: a\r\n' +
    'X-Request-Id: app-chosen\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n';
  const buf = Buffer.from(text, 'latin1');
  const head = parseResponseHead(buf, buf.indexOf(HEAD_END), 'GET', new Set(['x-request-id']), () => 'Mon, 07 Dec 2026 00:00:00 GMT');
  assert.equal(head.forwardHead.toString('latin1'), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nDate: Mon, 07 Dec 2026 00:00:00 GMT\r\n');
  const dated = response('HTTP/1.1 404 Gone Fishing\r\nDate: yesterday\r\nTransfer-Encoding: chunked\r\n\r\n', 'HEAD');
  assert.equal(dated.framing, 'none');
  assert.equal(dated.forwardHead.toString('latin1'), 'HTTP/1.1 404 Gone Fishing\r\nDate: yesterday\r\n');
});
