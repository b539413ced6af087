import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { AppResource, DomainResource, ReleaseResource } from '@paas/core';

import { deploySlug, startHarness } from './harness.js';

test("apps carry Heroku's owner, region, stack and sizes; /users/~/apps lists them", async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  deploySlug(h.store, 'demo', { web: 'node server.js' });
  const mine = (await h.request({ url: '/users/~/apps' })).json<AppResource[]>();
  assert.deepEqual(mine.map((app) => app.name), ['demo']);
  const app = (await h.request({ url: '/apps/demo' })).json<AppResource>();
  assert.equal(app.owner.email, 'admin@example.test');
  assert.equal(app.region.name, 'local');
  assert.equal(app.stack.name, 'paas-24');
  assert.equal(app.build_stack.name, 'paas-24');
  assert.equal(app.slug_size, 1000);
  assert.equal(app.generation.name, 'cedar');
  assert.equal(app.create_status, 'complete');
});

test('releases name their user, say which can be rolled back to, and give their config', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  deploySlug(h.store, 'demo', { web: 'node server.js' });
  await h.send('PATCH', '/apps/demo/config-vars', { GREETING: 'hi' });
  const releases = (await h.request({ url: '/apps/demo/releases' })).json<ReleaseResource[]>();
  assert.deepEqual(
    releases.map((release) => [release.version, release.user.email, release.eligible_for_rollback]),
    [[3, 'admin@example.test', false], [2, 'admin@example.test', true], [1, 'admin@example.test', false]],
  );
  assert.deepEqual((await h.request({ url: '/apps/demo/releases/3/config-vars' })).json(), { GREETING: 'hi' });
  assert.deepEqual((await h.request({ url: '/apps/demo/releases/v2/config-vars' })).json(), {});
  assert.equal((await h.request({ url: '/apps/demo/releases/9/config-vars' })).statusCode, 404);
});

test("formation takes Heroku's size names; formations/{type} restarts and stops a type", async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  deploySlug(h.store, 'demo', { web: 'node server.js' });
  const scaled = await h.send('PATCH', '/apps/demo/formation', { updates: [{ type: 'web', quantity: '0', size: 'Standard-2X' }] });
  assert.equal(scaled.statusCode, 200);
  assert.equal(scaled.json<{ size: string }[]>()[0]?.size, 'standard-2x');
  assert.equal((await h.send('PATCH', '/apps/demo/formation', { updates: [{ type: 'web', size: 'standard-1x' }] })).json<{ size: string }[]>()[0]?.size, 'standard');
  const unknown = await h.send('PATCH', '/apps/demo/formation', { updates: [{ type: 'web', size: 'private-l' }] });
  assert.equal(unknown.statusCode, 422);
  // Nothing of type web runs (quantity 0): both answer 404 like the dynos routes.
  assert.equal((await h.send('DELETE', '/apps/demo/formations/web')).statusCode, 404);
  assert.equal((await h.send('POST', '/apps/demo/formations/web/actions/stop')).statusCode, 404);
});

test("domains carry Heroku's kind, DNS target and status; sni_endpoint null is taken", async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  const added = await h.send('POST', '/apps/demo/domains', { hostname: 'www.example.com', sni_endpoint: null });
  assert.equal(added.statusCode, 201);
  const domain = added.json<DomainResource>();
  assert.equal(domain.kind, 'custom');
  assert.equal(domain.cname, 'demo.example.test');
  assert.equal(domain.status, 'none');
  assert.equal((await h.request({ url: '/apps/demo/domains/www.example.com' })).json<DomainResource>().id, domain.id);
  assert.equal((await h.send('POST', '/apps/demo/domains', { hostname: 'api.example.com', sni_endpoint: 'cert-1' })).statusCode, 422);
  assert.equal((await h.request({ url: '/apps/demo/domains/nope.example.com' })).statusCode, 404);
});

test('collaborators, features, pipelines, add-ons and SNI endpoints answer as an account without them', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  const collaborators = (await h.request({ url: '/apps/demo/collaborators' })).json<{ user: { email: string }; role: string }[]>();
  assert.deepEqual(collaborators.map((c) => [c.user.email, c.role]), [['admin@example.test', 'owner']]);
  for (const url of ['/apps/demo/features', '/account/features', '/pipelines', '/apps/demo/addons', '/addons', '/addon-attachments', '/apps/demo/sni-endpoints']) {
    const response = await h.request({ url });
    assert.equal(response.statusCode, 200, url);
    assert.deepEqual(response.json(), [], url);
  }
  assert.equal((await h.request({ url: '/apps/demo/pipeline-couplings' })).statusCode, 404);
  assert.equal((await h.request({ url: '/apps/nope/addons' })).statusCode, 404);
});

test("one-offs take Heroku's run fields; attaching needs the rendezvous listener", async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  deploySlug(h.store, 'demo', { web: 'node server.js' });
  const body = { command: 'true', env: { TERM: 'dumb', COLUMNS: 80 }, force_no_tty: null, size: 'standard-1x', type: 'run' };
  const attached = await h.send('POST', '/apps/demo/dynos', { ...body, attach: true });
  assert.equal(attached.statusCode, 422);
  assert.match(attached.json<{ message: string }>().message, /PAAS_RENDEZVOUS_PORT/);
  const badSize = await h.send('POST', '/apps/demo/dynos', { ...body, size: 'giant' });
  assert.equal(badSize.statusCode, 422);
  const badEnv = await h.send('POST', '/apps/demo/dynos', { ...body, env: { 'NO SPACES': 'x' } });
  assert.equal(badEnv.statusCode, 422);
});

test("a log session also reads as text/event-stream, one Heroku-format line per event; source heroku is the platform's", async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  h.platform.logs.publish('demo', { source: 'app', process: 'web.1', line: 'hello\nthere' });
  h.platform.logs.publish('demo', { source: 'paas', process: 'router', line: 'at=info path=/' });
  const open = async (body: object): Promise<{ status: number; type: string; text: string }> => {
    const session = (await h.send('POST', '/apps/demo/log-sessions', { ...body, tail: false })).json<{ logplex_url: string }>();
    assert.match(session.logplex_url, /^http:\/\/localhost(:\d+)?\/log-sessions\//);
    const response = await h.app.inject({ url: new URL(session.logplex_url).pathname });
    return { status: response.statusCode, type: String(response.headers['content-type']), text: response.body };
  };
  const all = await open({ lines: 100 });
  assert.equal(all.status, 200);
  assert.match(all.type, /^text\/event-stream/);
  const events = all.text.split('\n\n').filter(Boolean);
  assert.ok(events.every((event) => /^data: [^\n]+$/.test(event)), all.text);
  // A line holding a newline stays one event.
  assert.ok(events.some((event) => /^data: \S+Z app\[web\.1\]: hello there$/.test(event)), all.text);
  assert.ok(events.some((event) => /^data: \S+Z paas\[router\]: at=info path=\/$/.test(event)), all.text);
  const app = await open({ source: 'app' });
  assert.deepEqual(app.text.split('\n\n').filter(Boolean).map((event) => event.replace(/^data: \S+ /, '')), ['app[web.1]: hello there']);
  const platform = await open({ source: 'heroku' });
  assert.ok(platform.text.split('\n\n').filter(Boolean).every((event) => / paas\[/.test(event)), platform.text);
});

test('PATCH /apps/{app} {"name"} renames the app with its config, domains, repository and audit log', async (t) => {
  const h = await startHarness(t);
  await h.send('POST', '/apps', { name: 'demo' });
  await h.send('POST', '/apps', { name: 'taken' });
  await h.send('PATCH', '/apps/demo/config-vars', { GREETING: 'hi' });
  await h.send('POST', '/apps/demo/domains', { hostname: 'www.example.com' });
  const renamed = await h.send('PATCH', '/apps/demo', { name: 'renamed' });
  assert.equal(renamed.statusCode, 200, renamed.body);
  assert.equal(renamed.json<AppResource>().name, 'renamed');
  assert.match(renamed.json<AppResource>().git_url, /\/renamed\.git$/);
  assert.equal((await h.request({ url: '/apps/demo' })).statusCode, 404);
  assert.deepEqual((await h.request({ url: '/apps/renamed/config-vars' })).json(), { GREETING: 'hi' });
  assert.deepEqual((await h.request({ url: '/apps/renamed/domains' })).json<DomainResource[]>().map((d) => d.hostname), ['www.example.com']);
  assert.ok(await h.platform.repos.exists('renamed'));
  assert.equal(await h.platform.repos.exists('demo'), false);
  const actions = (await h.request({ url: '/apps/renamed/activity' })).json<{ action: string }[]>().map((event) => event.action);
  assert.deepEqual([actions[0], actions.at(-1)], ['app.rename', 'app.create']);
  assert.equal((await h.send('PATCH', '/apps/renamed', { name: 'taken' })).statusCode, 409);
  assert.equal((await h.send('PATCH', '/apps/renamed', { name: 'Bad Name' })).statusCode, 422);
  assert.equal((await h.send('PATCH', '/apps/renamed', {})).statusCode, 422);
  const both = await h.send('PATCH', '/apps/renamed', { name: 'again', maintenance: true });
  assert.equal(both.json<AppResource>().maintenance, true);
});
