import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';

import Database from 'better-sqlite3';

import { PaasError } from '@paas/core';

import { DATABASE_FILE, createStore } from '../src/index.js';
import type { Store } from '../src/index.js';
import { tempDir } from './temp-dir.js';

function open(t: TestContext): { store: Store; dir: string } {
  const dir = tempDir(t);
  const store = createStore({ dataDir: dir });
  t.after(() => store.close());
  return { store, dir };
}

function deploySlug(store: Store, app: string, processTypes: Record<string, string>, commit = 'abc1234def'): string {
  const record = store.apps.require(app);
  const slug = store.slugs.create({
    appId: record.id,
    checksum: 'f'.repeat(64),
    processTypes,
    buildpacks: ['nodejs'],
    commit,
    size: 1234,
    stack: 'paas-24',
  });
  store.deploys.createRelease(app, { slugId: slug.id, description: `Deploy ${commit.slice(0, 7)}`, actor: 'alice', status: 'succeeded' });
  return slug.id;
}

const errorId = (id: string) => (error: unknown) => error instanceof PaasError && error.id === id;

test('creating an app creates v1 "Initial release" with no slug and empty config', (t) => {
  const { store } = open(t);
  const { app, release } = store.apps.create('demo', 'alice');
  assert.equal(app.name, 'demo');
  assert.equal(release.version, 1);
  assert.equal(release.description, 'Initial release');
  assert.equal(release.slugId, null);
  assert.deepEqual(store.deploys.configOf(app), {});
  assert.equal(store.deploys.currentRelease('demo').version, 1);
  assert.throws(() => store.apps.create('demo', 'bob'), errorId('conflict'));
  assert.deepEqual(store.events.list({ appName: 'demo' }).map((e) => e.action), ['app.create']);
});

test('config changes make immutable versions and contiguous releases; a no-op makes none', (t) => {
  const { store } = open(t);
  store.apps.create('demo', 'alice');
  const set = store.deploys.updateConfig('demo', { A: '1', B: 'two' }, 'alice');
  assert.equal(set.release?.version, 2);
  assert.equal(set.release?.description, 'Set A, B config vars');
  assert.equal(store.deploys.updateConfig('demo', { A: '1' }, 'alice').release, null);
  assert.equal(store.deploys.updateConfig('demo', { MISSING: null }, 'alice').release, null);
  const unset = store.deploys.updateConfig('demo', { A: null }, 'alice');
  assert.equal(unset.release?.version, 3);
  assert.equal(unset.release?.description, 'Remove A config var');
  assert.deepEqual(unset.vars, { B: 'two' });
  assert.deepEqual(store.deploys.listReleases('demo').map((r) => r.version), [3, 2, 1]);
  const v2 = store.deploys.findRelease('demo', 'v2');
  assert.deepEqual(store.deploys.configOf(store.apps.require('demo'), v2.configVersion), { A: '1', B: 'two' });
});

test('values round-trip byte for byte', (t) => {
  const { store, dir } = open(t);
  store.apps.create('demo', 'alice');
  const pem = '-----BEGIN KEY-----\nMIIB\r\nabc==\n-----END KEY-----\n';
  const vars = { DOLLARS: '$123*&456$', PEM: pem, UNI: 'héllo — 世界 🚀', EMPTY: '', QUOTE: `'"\`;|&` };
  store.deploys.updateConfig('demo', vars, 'alice');
  store.close();
  const again = createStore({ dataDir: dir });
  t.after(() => again.close());
  assert.deepEqual(again.deploys.configOf(again.apps.require('demo')), Object.fromEntries(Object.entries(vars).sort()));
});

test('bad config input is refused and nothing is written', (t) => {
  const { store } = open(t);
  store.apps.create('demo', 'alice');
  for (const patch of [{ 'A=B': '1' }, { 'A B': '1' }, { '1A': '1' }, { GOOD: 'x', 'BAD-KEY': 'y' }, { NUL: 'a\0b' }]) {
    assert.throws(() => store.deploys.updateConfig('demo', patch, 'alice'), errorId('invalid_params'));
  }
  assert.throws(() => store.deploys.updateConfig('demo', { BIG: 'x'.repeat(40_000) }, 'alice'), errorId('invalid_params'));
  assert.deepEqual(store.deploys.listReleases('demo').map((r) => r.version), [1]);
  assert.deepEqual(store.deploys.configOf(store.apps.require('demo')), {});
});

test('rollback copies slug and config of the target into a new release', (t) => {
  const { store } = open(t);
  store.apps.create('demo', 'alice');
  store.deploys.updateConfig('demo', { A: '1', B: 'two' }, 'alice'); // v2
  store.deploys.updateConfig('demo', { A: null }, 'alice'); // v3
  const v4 = store.deploys.rollback('demo', 'v2', 'bob');
  assert.equal(v4.version, 4);
  assert.equal(v4.description, 'Rollback to v2');
  assert.equal(v4.actor, 'bob');
  assert.deepEqual(store.deploys.configOf(store.apps.require('demo')), { A: '1', B: 'two' });
  // The next change builds on the rolled-back config.
  assert.deepEqual(store.deploys.updateConfig('demo', { C: '3' }, 'bob').vars, { A: '1', B: 'two', C: '3' });

  const slugId = deploySlug(store, 'demo', { web: 'node server.js' }); // v6
  assert.equal(store.deploys.currentRelease('demo').slugId, slugId);
  assert.throws(() => store.deploys.rollback('demo', 'v2', 'bob'), (error: unknown) => error instanceof PaasError && error.id === 'invalid_params' && /no slug/.test(error.message));
  assert.throws(() => store.deploys.rollback('demo', 'v99', 'bob'), (error: unknown) => error instanceof PaasError && error.id === 'invalid_params' && /does not exist/.test(error.message));
  store.deploys.updateConfig('demo', { D: '4' }, 'bob'); // v7, same slug
  const v8 = store.deploys.rollback('demo', '6', 'bob');
  assert.equal(v8.slugId, slugId);
  assert.deepEqual(store.deploys.configOf(store.apps.require('demo')), { A: '1', B: 'two', C: '3' });
});

test('formation follows the current slug; web defaults to 1, others to 0', (t) => {
  const { store } = open(t);
  store.apps.create('demo', 'alice');
  assert.deepEqual(store.deploys.formation('demo'), []);
  assert.throws(() => store.deploys.updateFormation('demo', [{ type: 'web', quantity: 2 }], 'alice'), errorId('invalid_params'));
  deploySlug(store, 'demo', { web: 'node server.js', worker: 'node worker.js', release: 'node migrate.js' });
  assert.deepEqual(store.deploys.formation('demo'), [
    { type: 'web', quantity: 1, size: 'standard' },
    { type: 'worker', quantity: 0, size: 'standard' },
  ]);
  store.deploys.updateFormation('demo', [{ type: 'web', quantity: '+2' }, { type: 'worker', quantity: 1, size: 'standard-2x' }], 'alice');
  assert.deepEqual(store.deploys.formation('demo'), [
    { type: 'web', quantity: 3, size: 'standard' },
    { type: 'worker', quantity: 1, size: 'standard-2x' },
  ]);
  store.deploys.updateFormation('demo', [{ type: 'web', quantity: '-1' }], 'alice');
  assert.equal(store.deploys.formation('demo')[0]?.quantity, 2);
  for (const update of [{ type: 'clock', quantity: 1 }, { type: 'web', quantity: 101 }, { type: 'web', quantity: '-5' }, { type: 'web', size: 'huge' }]) {
    assert.throws(() => store.deploys.updateFormation('demo', [update], 'alice'), errorId('invalid_params'));
  }
  assert.equal(store.deploys.formation('demo')[0]?.quantity, 2);
});

test('destroying an app removes its rows but keeps the audit log', (t) => {
  const { store } = open(t);
  store.apps.create('demo', 'alice');
  deploySlug(store, 'demo', { web: 'x' });
  const build = store.builds.create({ appId: store.apps.require('demo').id, actor: 'alice', sourceCommit: 'abc' });
  store.builds.finish(build.id, { status: 'succeeded', output: '-----> done\n' });
  store.drains.add(store.apps.require('demo'), 'syslog://logs.example.com:514', 'alice');
  store.apps.destroy('demo', 'alice');
  assert.equal(store.apps.get('demo'), undefined);
  assert.equal(store.builds.get(build.id), undefined);
  assert.equal(store.events.list({ appName: 'demo' })[0]?.action, 'app.destroy');
  assert.throws(() => store.apps.destroy('demo', 'alice'), errorId('not_found'));
  // The name is free again, and the new app starts at v1.
  assert.equal(store.apps.create('demo', 'alice').release.version, 1);
});

test('builds keep their output; abandoned builds are failed', (t) => {
  const { store } = open(t);
  const { app } = store.apps.create('demo', 'alice');
  const done = store.builds.create({ appId: app.id, actor: 'alice', sourceCommit: 'abc' });
  store.builds.finish(done.id, { status: 'failed', output: ' !     boom\n' });
  const stuck = store.builds.create({ appId: app.id, actor: 'alice', sourceCommit: 'def' });
  assert.equal(store.builds.failAbandoned('paasd restarted during the build'), 1);
  assert.equal(store.builds.get(stuck.id)?.status, 'failed');
  assert.match(store.builds.output(stuck.id), /paasd restarted/);
  assert.equal(store.builds.output(done.id), ' !     boom\n');
  assert.deepEqual(store.builds.list(app.id).map((b) => b.id), [stuck.id, done.id]);
});

test('drains: at most five per app, no duplicates, removable by id or URL', (t) => {
  const { store } = open(t);
  const { app } = store.apps.create('demo', 'alice');
  for (let i = 0; i < 5; i += 1) store.drains.add(app, `syslog://h${String(i)}.example.com:514`, 'alice');
  assert.throws(() => store.drains.add(app, 'syslog://h9.example.com:514', 'alice'), errorId('invalid_params'));
  assert.throws(() => store.drains.remove(app, 'nope', 'alice'), errorId('not_found'));
  const [first] = store.drains.list(app.id);
  store.drains.remove(app, first?.id ?? '', 'alice');
  store.drains.remove(app, 'syslog://h1.example.com:514', 'alice');
  assert.equal(store.drains.list(app.id).length, 3);
  assert.throws(() => store.drains.add(app, 'syslog://h2.example.com:514', 'alice'), errorId('conflict'));
});

test('tokens are stored as hashes and verified', (t) => {
  const { store, dir } = open(t);
  const admin = store.users.ensureFirstAdmin('root@example.test');
  const { token, record } = store.tokens.create(admin.id, { description: 'laptop' });
  assert.match(token, /^paas_[A-Za-z0-9_-]{40}$/);
  assert.equal(store.tokens.verify(token)?.id, record.id);
  assert.equal(store.tokens.verify(`${token}x`), undefined);
  assert.equal(store.tokens.verify(''), undefined);
  store.close();
  const again = createStore({ dataDir: dir });
  t.after(() => again.close());
  assert.equal(again.tokens.verify(token)?.userId, admin.id);
  assert.equal(again.tokens.verify(token)?.description, 'laptop');
  assert.equal(again.tokens.count(), 1);
});

test('tokens made before there were users belong to the first admin once paasd starts', (t) => {
  const { store, dir } = open(t);
  const admin = store.users.ensureFirstAdmin('root@example.test');
  const { token } = store.tokens.create(admin.id);
  store.close();
  // As an upgraded database has it: a token row without a user, and no users yet.
  const raw = new Database(join(dir, DATABASE_FILE));
  raw.prepare('UPDATE api_tokens SET user_id = NULL').run();
  raw.prepare('DELETE FROM users').run();
  raw.close();
  const again = createStore({ dataDir: dir });
  t.after(() => again.close());
  assert.equal(again.tokens.verify(token), undefined);
  const first = again.users.ensureFirstAdmin('ops@example.test');
  assert.equal(first.email, 'ops@example.test');
  assert.equal(again.tokens.verify(token)?.userId, first.id);
});

test('tokens expire, rotate to a new secret and are revoked; a user removed takes their tokens and grants along', (t) => {
  const { store } = open(t);
  const admin = store.users.ensureFirstAdmin('root@example.test');
  assert.equal(store.users.ensureFirstAdmin('other@example.test').id, admin.id);
  const bob = store.users.create('Bob@Example.test', 'member', admin.email);
  assert.equal(store.users.require('bob@example.test').id, bob.id);
  assert.throws(() => store.users.create('bob@example.test', 'member', admin.email), errorId('conflict'));
  const expiring = store.tokens.create(bob.id, { scope: 'read', expiresAt: new Date(Date.now() + 60_000) });
  assert.equal(store.tokens.verify(expiring.token)?.scope, 'read');
  assert.equal(store.tokens.verify(expiring.token, new Date(Date.now() + 61_000)), undefined);
  const rotated = store.tokens.rotate(expiring.record.id);
  assert.equal(store.tokens.verify(expiring.token), undefined);
  assert.equal(store.tokens.verify(rotated?.token ?? '')?.id, expiring.record.id);
  assert.equal(store.tokens.revoke(expiring.record.id), true);
  assert.equal(store.tokens.verify(rotated?.token ?? ''), undefined);
  const { app } = store.apps.create('demo', admin.email);
  store.access.grant(app, bob, ['view', 'deploy'], admin.email);
  assert.deepEqual(store.access.permissionsOf(app.id, bob.id), ['view', 'deploy']);
  assert.deepEqual([...store.access.appIdsOf(bob.id)], [app.id]);
  const kept = store.tokens.create(bob.id);
  store.users.remove(bob.email, admin.email);
  assert.equal(store.tokens.verify(kept.token), undefined);
  assert.equal(store.access.permissionsOf(app.id, bob.id), undefined);
  assert.throws(() => store.users.remove(admin.id, admin.email), errorId('invalid_params'));
});

test('a release with code is pending until deployed; its config applies at once; failed ones never go live', (t) => {
  const { store } = open(t);
  store.apps.create('demo', 'alice');
  deploySlug(store, 'demo', { web: 'x' }); // v2, live
  const v3 = store.deploys.updateConfig('demo', { A: '1' }, 'alice').release;
  assert.equal(v3?.status, 'pending');
  assert.equal(store.deploys.currentRelease('demo').version, 2);
  assert.deepEqual(store.deploys.configOf(store.apps.require('demo')), { A: '1' });
  store.deploys.finishRelease('demo', 3, { status: 'failed', reason: 'web.1 crashed' });
  assert.equal(store.deploys.currentRelease('demo').version, 2);
  assert.equal(store.deploys.findRelease('demo', 'v3').reason, 'web.1 crashed');
  assert.throws(() => store.deploys.rollback('demo', 'v3', 'alice'), /failed/);
  store.deploys.updateConfig('demo', { B: '2' }, 'alice'); // v4, pending
  store.deploys.rollback('demo', 'v2', 'alice'); // v5
  assert.equal(store.deploys.finishRelease('demo', 5, { status: 'succeeded' }).version, 5);
  assert.equal(store.deploys.currentRelease('demo').version, 5);
});

test('finishing a release never moves config backwards: every acknowledged change stays', (t) => {
  const { store } = open(t);
  store.apps.create('demo', 'alice');
  deploySlug(store, 'demo', { web: 'x' }); // v2, live
  store.deploys.updateConfig('demo', { A: '1' }, 'alice'); // v3
  store.deploys.updateConfig('demo', { B: '1' }, 'alice'); // v4
  store.deploys.finishRelease('demo', 3, { status: 'succeeded' });
  store.deploys.updateConfig('demo', { C: '1' }, 'alice'); // v5
  store.deploys.finishRelease('demo', 4, { status: 'succeeded' });
  assert.deepEqual(store.deploys.configOf(store.apps.require('demo')), { A: '1', B: '1', C: '1' });
  assert.deepEqual(store.deploys.configOf(store.apps.require('demo'), store.deploys.findRelease('demo', 'v5').configVersion), { A: '1', B: '1', C: '1' });
  // An older release finishing late never takes the place of a newer one that went live.
  store.deploys.finishRelease('demo', 5, { status: 'succeeded' });
  store.deploys.finishRelease('demo', 4, { status: 'succeeded' });
  assert.equal(store.deploys.currentRelease('demo').version, 5);
});

test('a config change made while a push rolls out carries the pushed code', (t) => {
  const { store } = open(t);
  const { app } = store.apps.create('demo', 'alice');
  deploySlug(store, 'demo', { web: 'old' }); // v2, live
  const pushed = store.slugs.create({ appId: app.id, checksum: 'e'.repeat(64), processTypes: { web: 'new' }, buildpacks: [], commit: null, size: 1, stack: 'paas-24' });
  store.deploys.createRelease('demo', { slugId: pushed.id, description: 'Deploy', actor: 'alice' }); // v3, pending
  const v4 = store.deploys.updateConfig('demo', { A: '1' }, 'alice').release;
  assert.equal(v4?.slugId, pushed.id);
  assert.equal(store.deploys.newestPending('demo')?.version, 4);
  // Had the push failed first, the change builds on the code that serves.
  store.deploys.finishRelease('demo', 3, { status: 'superseded', reason: 'superseded by v4' });
  store.deploys.finishRelease('demo', 4, { status: 'failed', reason: 'boom' });
  assert.equal(store.deploys.updateConfig('demo', { B: '1' }, 'alice').release?.slugId, store.deploys.currentRelease('demo').slugId);
});

test('a rollback appends a config version: the config is always the newest version', (t) => {
  const { store } = open(t);
  store.apps.create('demo', 'alice');
  deploySlug(store, 'demo', { web: 'x' }); // v2 (config 1)
  store.deploys.updateConfig('demo', { A: '1' }, 'alice'); // v3 (config 2)
  store.deploys.finishRelease('demo', 3, { status: 'succeeded' });
  const v4 = store.deploys.rollback('demo', 'v2', 'alice');
  assert.equal(v4.configVersion, 3);
  assert.deepEqual(store.deploys.configOf(store.apps.require('demo')), {});
  assert.equal(store.apps.require('demo').configVersion, 3);
});

test('after a restart, a pending config change is deployed again and an interrupted push fails', (t) => {
  const { store } = open(t);
  const { app } = store.apps.create('demo', 'alice');
  store.apps.create('other', 'alice');
  deploySlug(store, 'demo', { web: 'x' }); // v2, live
  store.deploys.updateConfig('demo', { A: '1' }, 'alice'); // v3, pending
  store.deploys.updateConfig('demo', { B: '1' }, 'alice'); // v4, pending
  deploySlug(store, 'other', { web: 'x' }); // other v2, live
  const pushed = store.slugs.create({ appId: store.apps.require('other').id, checksum: 'e'.repeat(64), processTypes: { web: 'y' }, buildpacks: [], commit: null, size: 1, stack: 'paas-24' });
  store.deploys.createRelease('other', { slugId: pushed.id, description: 'Deploy', actor: 'alice' }); // other v3, pending
  assert.deepEqual(store.deploys.settlePending(), { resume: [{ app: 'demo', version: 4 }], failed: [{ app: 'other', version: 3 }] });
  assert.equal(store.deploys.findRelease('demo', 'v3').status, 'superseded');
  assert.equal(store.deploys.findRelease('demo', 'v4').status, 'pending');
  assert.equal(store.deploys.findRelease('other', 'v3').status, 'failed');
  assert.equal(app.id, store.apps.require('demo').id);
});

test('custom domains belong to one app', (t) => {
  const { store } = open(t);
  const { app } = store.apps.create('demo', 'alice');
  const other = store.apps.create('other', 'alice').app;
  store.domains.add(app, 'www.example.com', 'alice');
  assert.throws(() => store.domains.add(other, 'www.example.com', 'alice'), errorId('conflict'));
  assert.deepEqual(store.domains.list(app.id).map((d) => d.hostname), ['www.example.com']);
  assert.throws(() => store.domains.remove(other, 'www.example.com', 'alice'), errorId('not_found'));
  store.domains.remove(app, 'www.example.com', 'alice');
  assert.deepEqual(store.domains.list(), []);
});

test('the generation moves with every write, and only then', (t) => {
  const { store } = open(t);
  store.apps.create('demo', 'alice');
  const before = store.generation();
  store.deploys.listReleasesWithSlugs('demo');
  store.deploys.configOf(store.apps.require('demo'));
  assert.equal(store.generation(), before, 'reads leave it');
  assert.equal(store.deploys.updateConfig('demo', { A: '1' }, 'alice').release?.version, 2);
  const afterConfig = store.generation();
  assert.ok(afterConfig > before);
  assert.equal(store.deploys.updateConfig('demo', { A: '1' }, 'alice').release, null);
  deploySlug(store, 'demo', { web: 'node server.js' });
  assert.ok(store.generation() > afterConfig, 'a release moves it');
});
