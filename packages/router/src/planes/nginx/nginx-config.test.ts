import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createRouteTable } from '../../route-table.js';
import { ACCESS_FIELDS, parseNginxAccessLine, renderNginxConfig } from './nginx-config.js';

const OPTIONS = {
  domain: 'example.test', host: '127.0.0.1', httpPort: 8080, tlsPort: 8443, publicTlsPort: 443, runDir: '/srv/paas/run/nginx',
  certificateFile: () => '/srv/paas/run/nginx/certs/abc.pem', platformCertificateFile: '/srv/paas/run/nginx/certs/platform.pem', accessLogFile: '/srv/paas/run/nginx/access.log',
};

test('renders upstreams with keep-alive, servers per listener, and a server per domain with its own certificate', () => {
  const table = createRouteTable(
    [{ name: 'shop', domains: ['www.shop.test', 'api.shop.test'], maintenance: false, state: 'running', backends: [{ id: 'p1', name: 'web.1', host: '127.0.0.1', port: 41000 }] }],
    { certificates: new Map([['www.shop.test', { chain: 'C', key: 'K' }]]) },
  );
  const text = renderNginxConfig(table, OPTIONS);
  assert.match(text, /upstream paas_app_shop \{\n {4}server 127\.0\.0\.1:41000 max_fails=1 fail_timeout=5s;\n {4}keepalive 256;/);
  assert.match(text, /listen 127\.0\.0\.1:8080;\n {4}server_name shop\.example\.test www\.shop\.test api\.shop\.test;/);
  assert.match(text, /listen 127\.0\.0\.1:8443 ssl;\n {4}server_name shop\.example\.test api\.shop\.test;\n {4}ssl_certificate \/srv\/paas\/run\/nginx\/certs\/platform\.pem;/);
  assert.match(text, /listen 127\.0\.0\.1:8443 ssl;\n {4}server_name www\.shop\.test;\n {4}ssl_certificate \/srv\/paas\/run\/nginx\/certs\/abc\.pem;/);
  assert.match(text, /"127\.0\.0\.1:41000" "web\.1";/);
});

test('nothing from the table can add a directive: bad names, tokens and key authorizations are left out', () => {
  const table = createRouteTable(
    [{ name: 'shop', domains: ['evil.test; include /etc/passwd', 'ok.test'], maintenance: false, state: 'running', backends: [] }],
    { challenges: new Map([['tok"; return 200 x', { host: 'ok.test', keyAuthorization: 'k' }], ['good', { host: 'ok.test', keyAuthorization: 'a"b' }]]) },
  );
  const text = renderNginxConfig(table, OPTIONS);
  assert.doesNotMatch(text, /passwd|return 200 x|a"b/);
  assert.match(text, /server_name shop\.example\.test ok\.test;/);
  assert.throws(() => renderNginxConfig(table, { ...OPTIONS, runDir: '/srv/x; y' }), /not a plain absolute path/);
});

test('error pages are written into the configuration, quoted for nginx ($ and " escaped)', () => {
  const text = renderNginxConfig(createRouteTable([{ name: 'shop', domains: [], maintenance: true, state: 'running', backends: [] }]), OPTIONS);
  assert.match(text, /location \/ \{ default_type "text\/html; charset=utf-8"; return 503 "<!doctype html>\n<html lang=\\"en\\">/);
  assert.match(text, /Down for maintenance/);
  // H21's explanation names $PORT: written as ${dollar}PORT so nginx does not read a variable.
  assert.match(text, /\$\{dollar\}PORT/);
  assert.match(text, /set \$paas_code "H80";/);
});

test('access lines read back from nginx\'s fields', () => {
  assert.equal(ACCESS_FIELDS.length, 15);
  const entry = parseNginxAccessLine('shop|GET|/a?b=1|shop.example.test|0123456789abcdef0123456789abcdef|10.0.0.1, 127.0.0.1|web.1|0.001|0.012|200|345||200|-|-');
  assert.deepEqual(entry, {
    app: 'shop', method: 'GET', path: '/a?b=1', host: 'shop.example.test', requestId: '0123456789abcdef0123456789abcdef', fwd: '10.0.0.1, 127.0.0.1',
    dyno: 'web.1', connectMs: 1, serviceMs: 12, status: 200, bytes: 345, code: '', upstreamStatus: '200',
  });
  assert.equal(parseNginxAccessLine('too|few'), undefined);
  // Two upstreams tried (a refused one, then the next): the last one's times count.
  assert.equal(parseNginxAccessLine('shop|GET|/|h|r|f||0.000, 0.002|-, 0.010|200|1||502, 200|-|-')?.serviceMs, 10);
  assert.equal(parseNginxAccessLine('shop|GET|/|h|r|f||0.000 : 0.003|0.020 : 0.011|200|1||502 : 200|-|-')?.connectMs, 3);
  const unanswered = parseNginxAccessLine('shop|GET|/|h|r|f||-|-|504|1|H12|-|-|-');
  assert.deepEqual([unanswered?.connectMs, unanswered?.serviceMs], [undefined, undefined]);
  // Held while the app booted: the boot hold names the process, or the code of its page.
  assert.equal(parseNginxAccessLine('shop|GET|/|h|r|f||0.000|0.400|200|1||200|web.1|-')?.dyno, 'web.1');
  assert.equal(parseNginxAccessLine('shop|GET|/|h|r|f||0.000|75.001|503|1||503|-|H20')?.code, 'H20');
});

test('a booting app goes to the boot hold when there is one, and gets H20 at once when not', () => {
  const table = createRouteTable([{ name: 'shop', domains: [], maintenance: false, state: 'booting', backends: [] }]);
  const held = renderNginxConfig(table, { ...OPTIONS, holdPort: 41999 });
  assert.match(held, /proxy_pass http:\/\/127\.0\.0\.1:41999;/);
  assert.match(held, /proxy_set_header X-Paas-App "shop";/);
  assert.doesNotMatch(held, /set \$paas_code "H20";/);
  assert.match(renderNginxConfig(table, OPTIONS), /set \$paas_code "H20";/);
});

test('no web process or a crashed app is decided by the boot hold from the newest table; maintenance is a page here', () => {
  const table = createRouteTable([
    { name: 'idle', domains: [], maintenance: false, state: 'no-web', backends: [] },
    { name: 'down', domains: [], maintenance: false, state: 'crashed', backends: [] },
    { name: 'paused', domains: [], maintenance: true, state: 'running', backends: [] },
  ]);
  const held = renderNginxConfig(table, { ...OPTIONS, holdPort: 41999 });
  assert.match(held, /proxy_set_header X-Paas-App "idle";/);
  assert.match(held, /proxy_set_header X-Paas-App "down";/);
  assert.doesNotMatch(held, /proxy_set_header X-Paas-App "paused";/);
  assert.doesNotMatch(held, /set \$paas_code "H1[04]";/);
  const unheld = renderNginxConfig(table, OPTIONS);
  assert.match(unheld, /set \$paas_code "H14";/);
  assert.match(unheld, /set \$paas_code "H10";/);
});
