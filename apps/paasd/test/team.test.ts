import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import type { ActivityResource, AppResource, AuthorizationResource, BuildResource, LogSessionResource, NewUserResource, ReleaseResource } from '@paas/core';
import WebSocket from 'ws';

import { gitClient } from './git-client.js';
import { FIXTURES, startPlatform } from './platform-under-test.js';
import type { PlatformUnderTest } from './platform-under-test.js';

const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '10', PAAS_STOP_GRACE: '2' };
const ADMIN = 'admin@example.test';
const DEV = 'dev@example.test';

/** A request as one user (their token), through the whole server. */
const as = (p: PlatformUnderTest, token: string) => (method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, body?: unknown) =>
  p.h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });

/** Opens a websocket; resolves with how it ended: its close code, or the HTTP status that refused it. */
function openSocket(url: string, token: string | undefined, first?: string): { opened: Promise<void>; ended: Promise<number> } {
  const socket = new WebSocket(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
  const ended = new Promise<number>((resolve) => {
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('close', (code) => resolve(code));
    socket.on('error', () => resolve(-1));
  });
  if (first !== undefined) socket.once('open', () => socket.send(first));
  return { opened, ended };
}

/** A live `logs --tail` opened with `token`. */
async function tail(p: PlatformUnderTest, token: string, app: string): Promise<{ status: number; ended?: Promise<number>; opened?: Promise<void> }> {
  const response = await as(p, token)('POST', `/apps/${app}/log-sessions`, { tail: true });
  if (response.statusCode !== 201) return { status: response.statusCode };
  const session = response.json<LogSessionResource>();
  return { status: 201, ...openSocket(`${p.api.replace('http', 'ws')}${new URL(session.logplex_url).pathname}`, undefined) };
}

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${String(ms)} ms`)), ms).unref())]);

test('a team: a member reaches only the apps given, read tokens only read, revoking ends streams and pushes, and everything names its person', { timeout: 300_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  // Two users, three apps.
  const added = await p.h.send('POST', '/users', { email: DEV });
  assert.equal(added.statusCode, 201, added.body);
  const devToken = added.json<NewUserResource>().authorization.access_token.token ?? '';
  assert.match(devToken, /^paas_/);
  const users = (await p.h.request({ url: '/users' })).json<{ email: string; role: string }[]>();
  assert.deepEqual(users.map((u) => [u.email, u.role]), [[ADMIN, 'admin'], [DEV, 'member']]);
  for (const name of ['mine', 'theirs', 'other']) {
    assert.equal((await p.h.send('POST', '/apps', { name })).statusCode, 201);
    await p.h.request({ method: 'PUT', url: `/apps/${name}/buildpack-installations`, payload: { updates: [{ buildpack: 'procfile' }] } });
  }
  const granted = await p.h.send('POST', '/apps/mine/collaborators', { user: DEV, permissions: ['deploy'] });
  assert.equal(granted.statusCode, 201, granted.body);
  const dev = as(p, devToken);

  // The member sees only their app; the others are 404, as an app that does not exist.
  assert.deepEqual((await dev('GET', '/apps')).json<AppResource[]>().map((a) => a.name), ['mine']);
  assert.deepEqual((await p.h.request({ url: '/apps' })).json<AppResource[]>().map((a) => a.name), ['mine', 'other', 'theirs']);
  const missing = await dev('GET', '/apps/nonexistent');
  for (const [method, url, body] of [
    ['GET', '/apps/theirs'],
    ['GET', '/apps/theirs/config-vars'],
    ['PATCH', '/apps/theirs/config-vars', { A: '1' }],
    ['POST', '/apps/theirs/log-sessions', {}],
    ['POST', '/apps/theirs/dynos', { command: 'true' }],
    ['DELETE', '/apps/other'],
    ['GET', '/apps/other/releases'],
  ] as const) {
    const response = await dev(method, url, body);
    assert.equal(response.statusCode, 404, `${method} ${url}: ${response.body}`);
    assert.equal(response.json<{ id: string }>().id, 'not_found');
    assert.equal(response.json<{ message: string }>().message, missing.json<{ message: string }>().message.replace('nonexistent', url.split('/')[2] ?? ''));
  }
  assert.equal((await tail(p, devToken, 'theirs')).status, 404);
  assert.equal(await openSocket(`${p.api.replace('http', 'ws')}/apps/theirs/run`, devToken, JSON.stringify({ command: 'true' })).ended, 404);
  // Within their app, as far as deploy goes: scaling needs operate; admin routes are not theirs.
  assert.equal((await dev('PATCH', '/apps/mine/formation', { updates: [{ type: 'web', quantity: 2 }] })).statusCode, 403);
  assert.equal((await dev('GET', '/users')).statusCode, 403);
  assert.equal((await dev('POST', '/users', { email: 'x@example.test' })).statusCode, 403);

  // git: the member pushes their app; another's is not found, exactly like a missing one.
  const devGit = gitClient(t, devToken);
  const repo = await devGit.repo('mine', { dir: join(FIXTURES, 'py-web') }, `${p.api}/mine.git`);
  const pushed = await devGit.run(repo, ['push', 'paas', 'main']);
  assert.equal(pushed.code, 0, pushed.out);
  await devGit.run(repo, ['remote', 'add', 'theirs', `${p.api}/theirs.git`]);
  await devGit.run(repo, ['remote', 'add', 'nowhere', `${p.api}/nowhere.git`]);
  const refused = await devGit.run(repo, ['push', 'theirs', 'main']);
  const nowhere = await devGit.run(repo, ['push', 'nowhere', 'main']);
  assert.notEqual(refused.code, 0);
  assert.equal(refused.out.replaceAll('theirs', 'X'), nowhere.out.replaceAll('nowhere', 'X'));
  assert.equal((await devGit.run(repo, ['fetch', 'theirs'])).code !== 0, true);

  // config:set by each person: every release, build and activity line names who did it.
  assert.equal((await dev('PATCH', '/apps/mine/config-vars', { GREETING: 'from dev' })).statusCode, 200);
  assert.equal((await p.h.send('PATCH', '/apps/mine/config-vars', { OTHER: 'from admin' })).statusCode, 200);
  const releases = (await dev('GET', '/apps/mine/releases')).json<ReleaseResource[]>();
  assert.deepEqual(releases.slice(0, 3).map((r) => [r.user.email, r.actor]), [[ADMIN, ADMIN], [DEV, DEV], [DEV, DEV]]);
  assert.match(releases[2]?.description ?? '', /^Deploy /);
  assert.equal((await dev('GET', '/apps/mine/builds')).json<BuildResource[]>().at(-1)?.actor, DEV);
  const activity = (await dev('GET', '/apps/mine/activity')).json<ActivityResource[]>();
  assert.ok(activity.some((a) => a.action === 'access.add' && a.actor === ADMIN));
  assert.ok(activity.filter((a) => a.action === 'config.update' || a.action === 'release.create').every((a) => a.actor === ADMIN || a.actor === DEV));
  assert.ok(activity.some((a) => a.actor === DEV));
  assert.ok(!activity.some((a) => a.actor === 'admin'));

  // A read token reads and changes nothing: not config, not apps, not tokens, not git.
  const made = await dev('POST', '/oauth/authorizations', { description: 'dashboards', scope: ['read'] });
  assert.equal(made.statusCode, 201, made.body);
  const readToken = made.json<AuthorizationResource>().access_token.token ?? '';
  const reader = as(p, readToken);
  assert.equal((await reader('GET', '/apps/mine/config-vars')).statusCode, 200);
  for (const [method, url, body] of [
    ['PATCH', '/apps/mine/config-vars', { A: '1' }],
    ['POST', '/apps', { name: 'more' }],
    ['DELETE', '/apps/mine'],
    ['POST', '/apps/mine/dynos', { command: 'true' }],
    ['POST', '/apps/mine/releases', { release: 1 }],
    ['POST', '/oauth/authorizations', {}],
  ] as const) {
    const response = await reader(method, url, body);
    assert.equal(response.statusCode, 403, `${method} ${url}: ${response.body}`);
  }
  assert.equal((await tail(p, readToken, 'mine')).status, 201);
  assert.equal(await openSocket(`${p.api.replace('http', 'ws')}/apps/mine/run`, readToken, JSON.stringify({ command: 'true' })).ended, 403);
  const readGit = gitClient(t, readToken);
  const readRepo = await readGit.repo('mine', { files: { 'x.txt': 'x' } }, `${p.api}/mine.git`);
  const readPush = await readGit.run(readRepo, ['push', '--force', 'paas', 'main']);
  assert.notEqual(readPush.code, 0);
  assert.match(readPush.out, /403|read-only/);

  // Revoking a token ends its live tail and its one-off at once, and refuses its next push.
  const second = (await dev('POST', '/oauth/authorizations', { description: 'ci', scope: 'write' })).json<AuthorizationResource>();
  const ciToken = second.access_token.token ?? '';
  const live = await tail(p, ciToken, 'mine');
  assert.equal(live.status, 201);
  await live.opened;
  const oneOff = openSocket(`${p.api.replace('http', 'ws')}/apps/mine/run`, ciToken, JSON.stringify({ command: 'sleep 60' }));
  await oneOff.opened;
  const listed = (await dev('GET', '/oauth/authorizations')).json<AuthorizationResource[]>();
  assert.deepEqual(listed.map((a) => [a.description, a.scope[0], a.access_token.token]).slice(1), [['dashboards', 'read', null], ['ci', 'write', null]]);
  assert.equal((await dev('DELETE', `/oauth/authorizations/${second.id}`)).statusCode, 200);
  assert.equal(await within(live.ended ?? Promise.resolve(0), 5000, 'the tail ending'), 4401);
  assert.equal(await within(oneOff.ended, 5000, 'the one-off ending'), 4401);
  assert.equal((await as(p, ciToken)('GET', '/apps')).statusCode, 401);
  const ciGit = gitClient(t, ciToken);
  const ciRepo = await ciGit.repo('mine', { dir: join(FIXTURES, 'py-web') }, `${p.api}/mine.git`);
  const ciPush = await ciGit.run(ciRepo, ['push', '--force', 'paas', 'main']);
  assert.notEqual(ciPush.code, 0, ciPush.out);
  // git read the revoked token from ~/.netrc, was refused, and had no other to try.
  assert.match(ciPush.out, /Authentication failed|could not read Username/);

  // Taking the app away ends the member's open tail of it, and the app is gone for them.
  const watching = await tail(p, devToken, 'mine');
  await watching.opened;
  assert.equal((await p.h.send('DELETE', `/apps/mine/collaborators/${DEV}`)).statusCode, 200);
  assert.equal(await within(watching.ended ?? Promise.resolve(0), 5000, 'the tail ending'), 4401);
  assert.equal((await dev('GET', '/apps/mine')).statusCode, 404);
  assert.deepEqual((await dev('GET', '/apps')).json<AppResource[]>(), []);
});

test('failed sign-ins are limited per account as well as per address: 429 with Retry-After', { timeout: 60_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  const added = (await p.h.send('POST', '/users', { email: DEV })).json<NewUserResource>();
  const basic = (user: string, token: string) => `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
  const statuses: number[] = [];
  // Each guess from a different address: only the account's count can stop them.
  for (let i = 0; i < 25; i += 1) {
    statuses.push((await p.h.app.inject({ url: '/apps', remoteAddress: `198.51.100.${String(i + 1)}`, headers: { authorization: basic(DEV, `wrong-${String(i)}`) } })).statusCode);
  }
  assert.deepEqual(statuses.slice(0, 20), Array<number>(20).fill(401));
  assert.ok(statuses.slice(20).every((s) => s === 429), statuses.join(','));
  const limited = await p.h.app.inject({ url: '/apps', remoteAddress: '198.51.100.200', headers: { authorization: basic(DEV, added.authorization.access_token.token ?? '') } });
  assert.equal(limited.statusCode, 429);
  assert.match(limited.headers['retry-after'] as string, /^[1-9]\d*$/);
  // Another account, from a fresh address, is not held back.
  assert.equal((await p.h.app.inject({ url: '/apps', remoteAddress: '198.51.100.201', headers: { authorization: basic(ADMIN, 'test-token-0123456789abcdef') } })).statusCode, 200);
});
