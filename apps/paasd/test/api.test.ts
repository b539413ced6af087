import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import type { AppResource, FormationResource, ReleaseResource } from '@paas/core';

import { TOKEN, deploySlug, startHarness } from './harness.js';

test('health needs no token; everything else does', async (t) => {
  const h = await startHarness(t);
  assert.equal((await h.app.inject({ url: '/healthz' })).statusCode, 200);
  for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${Buffer.from('x:wrong').toString('base64')}`, 'Bearer ']) {
    const response = await h.app.inject({ url: '/apps', headers: authorization ? { authorization } : {} });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json<{ id: string }>().id, 'unauthorized');
  }
  const basic = await h.app.inject({ url: '/apps', headers: { authorization: `Basic ${Buffer.from(`git:${TOKEN}`).toString('base64')}` } });
  assert.equal(basic.statusCode, 200);
  const alice = h.store.users.create('alice@example.test', 'member', 'admin@example.test');
  const stored = h.store.tokens.create(alice.id);
  const account = await h.app.inject({ url: '/account', headers: { authorization: `Bearer ${stored.token}` } });
  const body = account.json<{ name: string; email: string; id: string; role: string }>();
  assert.equal(body.name, 'alice@example.test');
  assert.equal(body.role, 'member');
  // Heroku's CLI prints the email (`heroku auth:whoami`) and compares ids.
  assert.equal(body.email, 'alice@example.test');
  assert.match(body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('wrong tokens are rate-limited per client address: 429 rate_limit with Retry-After, on the API and on git', async (t) => {
  const h = await startHarness(t);
  const from = (remoteAddress: string, authorization: string, url = '/apps') => h.app.inject({ url, remoteAddress, headers: { authorization } });
  const statuses: number[] = [];
  for (let i = 0; i < 100; i += 1) statuses.push((await from('203.0.113.9', 'Bearer wrong-token')).statusCode);
  assert.deepEqual(statuses.slice(0, 20), Array<number>(20).fill(401));
  assert.ok(statuses.slice(20).every((status) => status === 429), statuses.join(','));
  const limited = await from('203.0.113.9', 'Bearer wrong-token');
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json<{ id: string }>().id, 'rate_limit');
  assert.match(limited.headers['retry-after'] as string, /^[1-9]\d*$/);
  // A limited address is refused before its credential is checked; others are not affected.
  assert.equal((await from('203.0.113.9', `Bearer ${TOKEN}`)).statusCode, 429);
  assert.equal((await from('198.51.100.7', `Bearer ${TOKEN}`)).statusCode, 200);
  const basic = (password: string) => `Basic ${Buffer.from(`git:${password}`).toString('base64')}`;
  const git: number[] = [];
  for (let i = 0; i < 30; i += 1) git.push((await from('192.0.2.44', basic('wrong'), '/demo.git/info/refs?service=git-upload-pack')).statusCode);
  assert.equal(git[0], 401);
  assert.equal(git.at(-1), 429);
  const gitLimited = await from('192.0.2.44', basic('wrong'), '/demo.git/info/refs?service=git-upload-pack');
  assert.match(gitLimited.headers['retry-after'] as string, /^[1-9]\d*$/);
  // Successes spend nothing.
  for (let i = 0; i < 50; i += 1) assert.equal((await from('198.51.100.8', `Bearer ${TOKEN}`)).statusCode, 200);
});

test('apps: create with a given or generated name, list, info, destroy', async (t) => {
  const h = await startHarness(t);
  const created = await h.send('POST', '/apps', { name: 'demo' });
  assert.equal(created.statusCode, 201);
  const app = created.json<AppResource>();
  assert.equal(app.name, 'demo');
  assert.equal(app.web_url, 'http://demo.example.test:8080/');
  assert.equal(app.git_url, 'http://localhost:80/demo.git');
  assert.equal(app.current_release?.version, 1);
  const generated = await h.request({ method: 'POST', url: '/apps' });
  assert.equal(generated.statusCode, 201);
  assert.match(generated.json<AppResource>().name, /^[a-z]+-[a-z]+-\d{5}$/);
  const list = await h.request({ url: '/apps' });
  assert.deepEqual(list.json<AppResource[]>().map((a) => a.name).sort(), ['demo', generated.json<AppResource>().name].sort());
  assert.equal((await h.request({ url: '/apps/demo' })).json<AppResource>().id, app.id);
  const repo = join(h.dataDir, 'repos', 'demo.git');
  assert.equal(readFileSync(join(repo, 'HEAD'), 'utf8'), 'ref: refs/heads/main\n');
  assert.equal((await h.send('DELETE', '/apps/demo')).statusCode, 200);
  assert.equal(existsSync(repo), false, 'the repository goes with the app');
  const gone = await h.request({ url: '/apps/demo' });
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.json<{ id: string }>().id, 'not_found');
});

test('bad app names are refused with 422 and say the rule', async (t) => {
  const h = await startHarness(t);
  for (const name of ['../etc', 'a;b', 'Demo', 'a'.repeat(31), '', '1abc', 'a', 'ab', 'app-', 'my--app', 'demo\n', 'dé']) {
    const response = await h.send('POST', '/apps', { name });
    assert.equal(response.statusCode, 422, name);
    const body = response.json<{ id: string; message: string }>();
    assert.equal(body.id, 'invalid_params');
    assert.match(body.message, /lowercase letter/);
  }
  for (const name of ['api', 'git', 'dashboard', 'www', 'localhost', 'default']) {
    const response = await h.send('POST', '/apps', { name });
    assert.equal(response.statusCode, 422, name);
    assert.match(response.json<{ message: string }>().message, /is reserved for the platform/);
  }
  assert.equal((await h.send('POST', '/apps', { name: 'a'.repeat(30) })).statusCode, 201);
  assert.equal((await h.send('POST', '/apps', { name: 'okay', region: 'eu' })).statusCode, 422);
  assert.equal((await h.send('POST', '/apps', { name: 'okay', region: 'local' })).statusCode, 201);
  assert.equal((await h.send('DELETE', '/apps/okay')).statusCode, 200);
  assert.equal((await h.send('POST', '/apps', { name: 42 })).statusCode, 422);
  assert.deepEqual((await h.request({ url: '/apps' })).json<AppResource[]>().map((a) => a.name), ['a'.repeat(30)]);
});

test('malformed, oversized and non-JSON bodies get clear errors', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  const malformed = await h.request({ method: 'PATCH', url: '/apps/demo/config-vars', payload: '{"A": "sekrit-value', headers: { 'content-type': 'application/json' } });
  assert.equal(malformed.statusCode, 400);
  assert.equal(malformed.json<{ id: string }>().id, 'bad_request');
  assert.doesNotMatch(malformed.body, /sekrit/);
  const huge = await h.send('PATCH', '/apps/demo/config-vars', { A: 'x'.repeat(2 * 1024 * 1024) });
  assert.equal(huge.statusCode, 413);
  assert.equal(huge.json<{ id: string }>().id, 'payload_too_large');
  const text = await h.request({ method: 'PATCH', url: '/apps/demo/config-vars', payload: 'A=1', headers: { 'content-type': 'text/plain' } });
  assert.equal(text.statusCode, 415);
  assert.equal(text.json<{ id: string }>().id, 'unsupported_media_type');
  const unknown = await h.request({ url: '/no/such/route' });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json<{ id: string }>().id, 'not_found');
});

test('config vars: PATCH sets and null deletes; each change is a release; a no-op is none', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  const set = await h.send('PATCH', '/apps/demo/config-vars', { A: '1', B: 'two' });
  assert.deepEqual(set.json(), { A: '1', B: 'two' });
  assert.equal(set.headers['paas-release-version'], '2');
  const same = await h.send('PATCH', '/apps/demo/config-vars', { A: '1' });
  assert.equal(same.headers['paas-release-version'], undefined);
  const unset = await h.send('PATCH', '/apps/demo/config-vars', { A: null });
  assert.deepEqual(unset.json(), { B: 'two' });
  assert.equal(unset.headers['paas-release-version'], '3');
  const releases = (await h.request({ url: '/apps/demo/releases' })).json<ReleaseResource[]>();
  assert.deepEqual(releases.map((r) => [r.version, r.description, r.current]), [
    [3, 'Remove A config var', true],
    [2, 'Set A, B config vars', false],
    [1, 'Initial release', false],
  ]);
  assert.equal(releases[0]?.actor, 'admin@example.test');
});

test('config vars the platform sets in every process (PORT, DYNO, …) are refused with a reason; PATH is the app\'s', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  for (const key of ['PORT', 'DYNO', 'PAAS_RELEASE_VERSION']) {
    const response = await h.send('PATCH', '/apps/demo/config-vars', { [key]: '1' });
    assert.equal(response.statusCode, 422, key);
    const body = response.json<{ id: string; message: string }>();
    assert.equal(body.id, 'invalid_params');
    assert.match(body.message, new RegExp(`^${key} is set by the platform in every process`));
  }
  const path = await h.send('PATCH', '/apps/demo/config-vars', { PATH: '/nope' });
  assert.equal(path.statusCode, 200);
  assert.deepEqual((await h.request({ url: '/apps/demo/config-vars' })).json(), { PATH: '/nope' });
});

test('config keys and values are checked; values round-trip byte for byte and never reach logs or errors', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  const secret = 'S3cr3t-Value-Never-Logged';
  for (const patch of [{ 'A=B': secret }, { 'A B': secret }, { '1A': secret }, { A: `x\0${secret}` }, { A: 1 }, { A: true }]) {
    const response = await h.send('PATCH', '/apps/demo/config-vars', patch);
    assert.equal(response.statusCode, 422, JSON.stringify(Object.keys(patch)));
    assert.equal(response.json<{ id: string }>().id, 'invalid_params');
    assert.doesNotMatch(response.body, /S3cr3t/);
  }
  const pem = `-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA${secret}\n+/=\n-----END RSA PRIVATE KEY-----\n`;
  const vars = { DOLLAR: '$123*&456$', PEM: pem, UNICODE: 'naïve — 日本語 🚀', SECRET: secret, EMPTY: '', SPACES: '  a  b  ' };
  await h.send('PATCH', '/apps/demo/config-vars', vars);
  const back = (await h.request({ url: '/apps/demo/config-vars' })).json<Record<string, string>>();
  for (const [key, value] of Object.entries(vars)) assert.equal(back[key], value, key);
  assert.ok(h.logs().includes('config updated'), 'the change was logged');
  assert.doesNotMatch(h.logs(), /S3cr3t|123\*&456/);
});

test('releases: Range paging newest first, info by version or id', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  for (let i = 0; i < 5; i += 1) await h.send('PATCH', '/apps/demo/config-vars', { N: String(i) });
  const first = await h.request({ url: '/apps/demo/releases', headers: { range: 'version ..; max=2' } });
  assert.equal(first.statusCode, 206);
  assert.deepEqual(first.json<ReleaseResource[]>().map((r) => r.version), [6, 5]);
  const next = first.headers['next-range'];
  assert.equal(next, 'version ]5..; max=2, order=desc');
  const second = await h.request({ url: '/apps/demo/releases', headers: { range: String(next) } });
  assert.deepEqual(second.json<ReleaseResource[]>().map((r) => r.version), [4, 3]);
  const asc = await h.request({ url: '/apps/demo/releases', headers: { range: 'version ..; order=asc' } });
  assert.equal(asc.statusCode, 200);
  assert.deepEqual(asc.json<ReleaseResource[]>().map((r) => r.version), [1, 2, 3, 4, 5, 6]);
  assert.equal((await h.request({ url: '/apps/demo/releases', headers: { range: 'bogus' } })).statusCode, 400);
  const v3 = (await h.request({ url: '/apps/demo/releases/v3' })).json<ReleaseResource>();
  assert.equal(v3.version, 3);
  assert.equal((await h.request({ url: `/apps/demo/releases/${v3.id}` })).json<ReleaseResource>().version, 3);
  assert.equal((await h.request({ url: '/apps/demo/releases/v42' })).statusCode, 404);
});

test('rollback makes a new release with the target slug and config; bad targets get 422', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  await h.send('PATCH', '/apps/demo/config-vars', { A: '1', B: 'two' });
  await h.send('PATCH', '/apps/demo/config-vars', { A: null });
  const rolled = await h.send('POST', '/apps/demo/releases', { release: 'v2' });
  assert.equal(rolled.statusCode, 201);
  assert.equal(rolled.json<ReleaseResource>().version, 4);
  assert.equal(rolled.json<ReleaseResource>().description, 'Rollback to v2');
  assert.deepEqual((await h.request({ url: '/apps/demo/config-vars' })).json(), { A: '1', B: 'two' });

  const missing = await h.send('POST', '/apps/demo/releases', { release: 'v99' });
  assert.equal(missing.statusCode, 422);
  assert.match(missing.json<{ message: string }>().message, /v99 does not exist/);
  deploySlug(h.store, 'demo', { web: 'node server.js' });
  const slugless = await h.send('POST', '/apps/demo/releases', { release: 2 });
  assert.equal(slugless.statusCode, 422);
  assert.match(slugless.json<{ message: string }>().message, /no slug/);
  assert.equal((await h.send('POST', '/apps/demo/releases', {})).statusCode, 422);
  assert.equal((await h.request({ url: '/apps/demo/releases' })).json<ReleaseResource[]>().length, 5);
});

test('formation: absolute and relative quantities within 0..100, for types of the current slug', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  const early = await h.send('PATCH', '/apps/demo/formation', { updates: [{ type: 'web', quantity: 1 }] });
  assert.equal(early.statusCode, 422);
  assert.match(early.json<{ message: string }>().message, /no deployed code/);
  deploySlug(h.store, 'demo', { web: 'node server.js', worker: 'node worker.js' });
  const initial = (await h.request({ url: '/apps/demo/formation' })).json<FormationResource[]>();
  assert.deepEqual(initial.map((f) => [f.type, f.quantity, f.size, f.command]), [
    ['web', 1, 'standard', 'node server.js'],
    ['worker', 0, 'standard', 'node worker.js'],
  ]);
  const scaled = await h.send('PATCH', '/apps/demo/formation', { updates: [{ type: 'web', quantity: '+2' }, { type: 'worker', quantity: 3, size: 'standard-2x' }] });
  assert.deepEqual(scaled.json<FormationResource[]>().map((f) => [f.type, f.quantity, f.size]), [
    ['web', 3, 'standard'],
    ['worker', 3, 'standard-2x'],
  ]);
  for (const updates of [[{ type: 'clock', quantity: 1 }], [{ type: 'web', quantity: 101 }], [{ type: 'web', quantity: '-9' }], [{ type: 'web', quantity: 'lots' }], [{ type: 'web', quantity: 1.5 }], [], [{ type: 'web', quantity: 1, extra: true }]]) {
    const response = await h.send('PATCH', '/apps/demo/formation', { updates });
    assert.equal(response.statusCode, 422, JSON.stringify(updates));
  }
  assert.equal((await h.request({ url: '/apps/demo/formation' })).json<FormationResource[]>()[0]?.quantity, 3);
});

test('twenty concurrent creates of one name: one 201, nineteen 409', async (t) => {
  const h = await startHarness(t);
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const address = h.app.server.address();
  assert.ok(address && typeof address === 'object');
  const statuses = await Promise.all(
    Array.from({ length: 20 }, () =>
      fetch(`http://127.0.0.1:${String(address.port)}/apps`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'racer' }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as { id?: string } })),
    ),
  );
  assert.equal(statuses.filter((s) => s.status === 201).length, 1);
  const refused = statuses.filter((s) => s.status === 409);
  assert.equal(refused.length, 19);
  assert.ok(refused.every((s) => s.body.id === 'conflict'));
});
