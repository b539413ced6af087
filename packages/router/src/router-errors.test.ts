import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ROUTER_ERRORS, errorPage, escapeHtml, noSuchAppPage, prefersPlainText, renderPage } from './router-errors.js';

test('every error code maps to the status Heroku-style clients expect', () => {
  const statuses = Object.fromEntries(Object.values(ROUTER_ERRORS).map((error) => [error.code, error.status]));
  assert.deepEqual(statuses, {
    H10: 503, H12: 504, H13: 502, H14: 503, H17: 502, H18: 502, H19: 503, H20: 503, H21: 503, H27: 499, H80: 503,
  });
  for (const error of Object.values(ROUTER_ERRORS)) {
    assert.equal(error.status === 503, error.retryAfter !== undefined, `${error.code} Retry-After on 503s only`);
  }
});

test('prefers plain text only when the client ranks it above HTML', () => {
  const cases: [string | undefined, boolean][] = [
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', false],
    ['text/plain', true],
    ['text/plain, */*;q=0.1', true],
    ['text/html;q=0.5, text/plain', true],
    ['text/html, text/plain', false],
    ['text/plain;q=0', false],
    ['application/json', false],
    ['text/*', false],
  ];
  for (const [accept, expected] of cases) assert.equal(prefersPlainText(accept), expected, String(accept));
});

test('escapes what it echoes', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const { body, contentType } = renderPage(noSuchAppPage('<script>alert(1)</script>.localhost'), undefined);
  assert.equal(contentType, 'text/html; charset=utf-8');
  assert.ok(!body.includes('<script>'));
  assert.match(body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;\.localhost/);
});

test('pages name the cause and the code', () => {
  const html = renderPage(errorPage(ROUTER_ERRORS.H12), 'text/html').body;
  assert.match(html, /<title>Request timeout<\/title>/);
  assert.match(html, /HTTP 504 \(H12\)/);
  const plain = renderPage(errorPage(ROUTER_ERRORS.H14), 'text/plain');
  assert.equal(plain.contentType, 'text/plain; charset=utf-8');
  assert.match(plain.body, /^No web processes running \(H14\)\n/);
});
