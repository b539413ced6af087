import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { findCgiBodyStart, parseCgiHead } from './cgi-response.js';

describe('findCgiBodyStart', () => {
  const cases: [string, number][] = [
    ['Content-Type: a\r\n\r\nBODY', 19],
    ['Content-Type: a\n\nBODY', 17],
    ['Content-Type: a\r\n', -1],
    ['Content-Type: a\r\n\r', -1],
    ['\r\nBODY', 2],
    ['\nBODY', 1],
    ['Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\n', 51],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => assert.equal(findCgiBodyStart(Buffer.from(text)), expected));
  }
});

describe('parseCgiHead', () => {
  it('defaults to 200 and lower-cases names', () => {
    assert.deepEqual(parseCgiHead('Content-Type: application/x-git-upload-pack-advertisement\r\nCache-Control: no-cache'), {
      status: 200,
      headers: { 'content-type': 'application/x-git-upload-pack-advertisement', 'cache-control': 'no-cache' },
    });
  });
  it('reads Status', () => {
    assert.deepEqual(parseCgiHead('Status: 403 Forbidden\nContent-Type: text/plain'), {
      status: 403,
      headers: { 'content-type': 'text/plain' },
    });
  });
  it('joins repeated headers', () => {
    assert.deepEqual(parseCgiHead('Vary: a\nVary: b').headers, { vary: 'a, b' });
  });
  it('refuses malformed lines', () => {
    assert.throws(() => parseCgiHead('no colon here'), /malformed CGI header/);
    assert.throws(() => parseCgiHead('Status: nope'), /malformed CGI Status/);
    assert.throws(() => parseCgiHead('Bad Name: x'), /malformed CGI header/);
  });
});
