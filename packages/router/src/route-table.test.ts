import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  certificateFor,
  challengeAnswer,
  createRouteTable,
  decideRoute,
  normalizeHost,
  pickBackend,
  resolveHost,
  withApp,
  withoutApp,
  type AppRoute,
  type Backend,
} from './route-table.js';

const backend = (n: number): Backend => ({ id: `p${String(n)}`, name: `web.${String(n)}`, host: '127.0.0.1', port: 5000 + n });

function app(name: string, extra: Partial<AppRoute> = {}): AppRoute {
  return { name, domains: [], maintenance: false, state: 'running', backends: [backend(1)], ...extra };
}

const table = createRouteTable([
  app('demo', { domains: ['www.example.com', 'Shop.Example.org.'] }),
  app('other', { domains: ['www.example.com', 'demo.localhost'] }),
]);

test('resolves <app>.<domain> and custom domains', () => {
  const cases: [string, string | undefined][] = [
    ['demo.localhost', 'demo'],
    ['DEMO.LocalHost', 'demo'],
    ['demo.localhost:8080', 'demo'],
    ['demo.localhost.', 'demo'],
    ['demo.localhost.:8080', 'demo'],
    ['other.localhost', 'other'],
    ['www.example.com', 'demo'], // claimed twice: the first app keeps it
    ['shop.example.org', 'demo'],
    ['shop.example.org:443', 'demo'],
    ['nope.localhost', undefined],
    ['localhost', undefined],
    ['.localhost', undefined],
    ['x.demo.localhost', undefined],
    ['demolocalhost', undefined],
    ['demo.localhost:80x', undefined],
    ['[::1]:8080', undefined],
    ['', undefined],
    ['example.com', undefined],
  ];
  for (const [host, expected] of cases) {
    assert.equal(resolveHost(table, host, 'localhost')?.name, expected, host);
  }
});

test('a custom domain cannot take over another app\'s platform host name', () => {
  // "other" claims demo.localhost, but demo.localhost is the app demo's.
  assert.equal(resolveHost(table, 'demo.localhost', 'localhost')?.name, 'demo');
  assert.equal(resolveHost(createRouteTable([app('other', { domains: ['ghost.localhost'] })]), 'ghost.localhost', 'localhost')?.name, 'other');
});

test('the platform domain is normalised too', () => {
  assert.equal(resolveHost(table, 'demo.apps.example.net', 'Apps.Example.NET.')?.name, 'demo');
  assert.equal(resolveHost(table, 'demo.localhost', 'Apps.Example.NET.')?.name, 'other'); // then only a custom domain
});

test('normalizes Host headers', () => {
  assert.equal(normalizeHost(' Demo.Localhost:8080 '), 'demo.localhost');
  assert.equal(normalizeHost('demo.localhost:'), 'demo.localhost');
  assert.equal(normalizeHost('demo.localhost:123456'), undefined);
  assert.equal(normalizeHost(':80'), undefined);
});

test('tables are immutable and updated by copy', () => {
  assert.ok(Object.isFrozen(table));
  const demo = table.apps.get('demo');
  assert.ok(demo !== undefined && Object.isFrozen(demo) && Object.isFrozen(demo.backends));
  const added = withApp(table, app('third'));
  assert.equal(added.apps.size, 3);
  assert.equal(table.apps.size, 2);
  const removed = withoutApp(added, 'demo');
  assert.equal(resolveHost(removed, 'www.example.com', 'localhost')?.name, 'other');
  assert.equal(resolveHost(removed, 'shop.example.org', 'localhost'), undefined);
});

test('decides what to do with an app', () => {
  const cases: [AppRoute, ReturnType<typeof decideRoute>][] = [
    [app('a'), { kind: 'proxy' }],
    [app('a', { maintenance: true }), { kind: 'error', code: 'H80' }],
    [app('a', { state: 'crashed' }), { kind: 'proxy' }], // some process is up: serve
    [app('a', { state: 'crashed', backends: [] }), { kind: 'error', code: 'H10' }],
    [app('a', { state: 'no-web', backends: [] }), { kind: 'error', code: 'H14' }],
    [app('a', { state: 'running', backends: [] }), { kind: 'error', code: 'H14' }],
    [app('a', { state: 'booting', backends: [] }), { kind: 'wait' }],
    [app('a', { state: 'booting', backends: [], maintenance: true }), { kind: 'error', code: 'H80' }],
  ];
  for (const [route, expected] of cases) assert.deepEqual(decideRoute(route), expected, JSON.stringify(route));
});

test('picks backends round robin, skipping failing ones', () => {
  const backends = [backend(1), backend(2), backend(3)];
  const names = (failing?: Set<string>) =>
    [0, 1, 2, 3, 4, 5].map((turn) => pickBackend(backends, turn, failing)?.name);
  assert.deepEqual(names(), ['web.1', 'web.2', 'web.3', 'web.1', 'web.2', 'web.3']);
  assert.deepEqual(names(new Set(['p2'])), ['web.1', 'web.3', 'web.3', 'web.1', 'web.3', 'web.3']);
  assert.deepEqual(names(new Set(['p1', 'p3'])), ['web.2', 'web.2', 'web.2', 'web.2', 'web.2', 'web.2']);
  // Every backend failing: plain round robin, so one that came back is found again.
  assert.deepEqual(names(new Set(['p1', 'p2', 'p3'])), ['web.1', 'web.2', 'web.3', 'web.1', 'web.2', 'web.3']);
  assert.equal(pickBackend([], 0), undefined);
});

test('certificates by server name: exact, then a wildcard one level up, else none', () => {
  const exact = { chain: 'exact', key: 'k' };
  const wild = { chain: 'wild', key: 'k' };
  const table = createRouteTable([], { certificates: new Map([['www.example.com', exact], ['*.example.com', wild]]) });
  assert.deepEqual(certificateFor(table, 'WWW.example.com.'), exact);
  assert.deepEqual(certificateFor(table, 'api.example.com'), wild);
  assert.equal(certificateFor(table, 'a.b.example.com'), undefined);
  assert.equal(certificateFor(table, 'example.com'), undefined);
  assert.equal(certificateFor(table, ''), undefined);
});

test('ACME challenge answers: the token\'s host only, under the well-known path only', () => {
  const table = createRouteTable([], { challenges: new Map([['t0k', { host: 'www.example.com', keyAuthorization: 't0k.abc' }]]) });
  assert.equal(challengeAnswer(table, 'www.example.com', '/.well-known/acme-challenge/t0k'), 't0k.abc');
  assert.equal(challengeAnswer(table, 'api.example.com', '/.well-known/acme-challenge/t0k'), undefined);
  assert.equal(challengeAnswer(table, 'www.example.com', '/.well-known/acme-challenge/other'), undefined);
  assert.equal(challengeAnswer(table, 'www.example.com', '/t0k'), undefined);
  // Apps added or removed keep the edge's state.
  assert.equal(withoutApp(withApp(table, { name: 'a', domains: [], maintenance: false, state: 'running', backends: [] }), 'a').challenges.size, 1);
});
