import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import type { AddonBackupResource, AddonResource, ReleaseResource } from '@paas/core';

import { findPostgresBin } from '../src/addons/providers/local/postgres-engine.js';
import { psqlWith } from './addon-provider-contract.js';
import { httpGet } from './http-get.js';
import type { PlatformUnderTest } from './platform-under-test.js';
import { startPlatform, steadyLoad } from './platform-under-test.js';

const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '30', PAAS_STOP_GRACE: '2' };

const config = async (p: PlatformUnderTest, app: string): Promise<Record<string, string>> => (await p.h.request({ url: `/apps/${app}/config-vars` })).json();
const current = async (p: PlatformUnderTest, app: string): Promise<ReleaseResource | undefined> =>
  (await p.h.request({ url: `/apps/${app}/releases` })).json<ReleaseResource[]>().find((r) => r.current);
const json = <T>(body: string): T => JSON.parse(body) as T;

async function createAddon(p: PlatformUnderTest, app: string, body: Record<string, unknown>): Promise<AddonResource> {
  const created = await p.h.send('POST', `/apps/${app}/addons`, body);
  assert.equal(created.statusCode, 201, created.body);
  const addon = created.json<AddonResource>();
  await p.until(`${addon.name} provisioned and attached`, async () => {
    const now = (await p.h.request({ url: `/addons/${addon.id}` })).json<AddonResource>();
    assert.notEqual(now.state, 'failed', now.state_reason ?? '');
    return now.state === 'provisioned' && now.config_vars.length > 0;
  }, 90_000);
  return (await p.h.request({ url: `/addons/${addon.id}` })).json<AddonResource>();
}

/** Waits until the app's newest release is the current one and serves `check`. */
async function live(p: PlatformUnderTest, app: string, what: string, check: (body: Record<string, unknown>) => boolean): Promise<void> {
  await p.until(what, async () => {
    const newest = (await p.h.request({ url: `/apps/${app}/releases` })).json<ReleaseResource[]>()[0];
    if (newest?.status === 'failed') assert.fail(`v${String(newest.version)} failed: ${newest.status_reason ?? ''}`);
    if (!newest?.current) return false;
    const answer = await p.get(app);
    return answer.status === 200 && check(json(answer.body));
  }, 60_000);
}

test('postgresql and redis add-ons: attached by URL as releases, surviving a killed server, shared, rotated with no failed request, backed up, verified, restored into another app, destroyed only when confirmed', { timeout: 600_000 }, async (t) => {
  if (!findPostgresBin()) return t.skip('postgresql is not installed (apt-get install postgresql redis-server)');
  const p = await startPlatform(t, FAST);
  const pushed = await p.pushFixture('notes', 'node-addons');
  assert.equal(pushed.code, 0, pushed.out);

  // Attaching is a release like any config change: DATABASE_URL, then REDIS_URL.
  const pg = await createAddon(p, 'notes', { plan: 'postgresql' });
  assert.deepEqual([pg.addon_service.name, pg.app.name, pg.config_vars], ['postgresql', 'notes', ['DATABASE_URL']]);
  const redis = await createAddon(p, 'notes', { plan: 'heroku-redis', name: 'notes-cache' });
  assert.deepEqual([redis.name, redis.config_vars], ['notes-cache', ['REDIS_URL']]);
  await live(p, 'notes', 'the release with both URLs serving', (body) => body.notes === 0 && body.hits === 0);
  const vars = await config(p, 'notes');
  assert.match(vars.DATABASE_URL ?? '', /^postgres:\/\/u[0-9a-f]+:[0-9a-f]{64}@127\.0\.0\.1:\d+\/d[0-9a-f]+$/);
  for (const body of ['first', 'second']) assert.equal((await httpGet(p.routerPort, `/notes?body=${body}`, 'notes.example.test', 'POST')).status, 201);
  assert.deepEqual(json((await p.get('notes', '/notes')).body), { notes: ['first', 'second'] });
  assert.deepEqual(json<{ hits: number }>((await p.get('notes')).body).hits, 2);

  // The database server dies (kill -9): the supervisor starts it again on the same data.
  const pidFile = join(p.h.dataDir, 'addons', pg.id, 'server.pid');
  const pid = Number(readFileSync(pidFile, 'utf8'));
  process.kill(pid, 'SIGKILL');
  await p.until('the database restarted with its rows', async () => {
    const answer = await p.get('notes');
    return Number(readFileSync(pidFile, 'utf8')) !== pid && answer.status === 200 && json<{ notes: number }>(answer.body).notes === 2;
  }, 60_000);
  assert.match((await p.h.request({ url: '/apps/notes/logs?lines=500' })).body, /server exited \(SIGKILL\); restarting it/);

  // A second app attaches the same database under its own name.
  assert.equal((await p.pushFixture('reader', 'node-addons')).code, 0);
  const attached = await p.h.send('POST', '/addon-attachments', { addon: pg.name, app: 'reader' });
  assert.equal(attached.statusCode, 201, attached.body);
  assert.deepEqual(attached.json<{ name: string; addon: { name: string; app: { name: string } } }>().addon.app.name, 'notes');
  await live(p, 'reader', 'reader sees the rows', (body) => body.notes === 2);

  // Rotation: new credentials go live through a release; no request fails meanwhile; the old ones stop working after.
  const before = await config(p, 'notes');
  const load = steadyLoad(p, 'notes', t);
  const rotated = await p.h.send('POST', `/addons/${pg.name}/actions/rotate-credentials`);
  assert.equal(rotated.statusCode, 200, rotated.body);
  assert.ok(rotated.json<{ releases: { ok: boolean }[] }>().releases.every((r) => r.ok), rotated.body);
  const { ok, failed } = await load.stop();
  assert.deepEqual(failed, [], `${String(failed.length)} failed requests during rotation`);
  assert.ok(ok > 10, `only ${String(ok)} requests`);
  const after = await config(p, 'notes');
  assert.notEqual(after.DATABASE_URL, before.DATABASE_URL);
  assert.equal(psqlWith(before.DATABASE_URL ?? '', 'SELECT 1').ok, false, 'the old credentials were dropped');
  assert.equal(psqlWith(after.DATABASE_URL ?? '', 'SELECT count(*) FROM notes').out, '2');

  // Backup: captured, checksummed, verified by restoring into a scratch database; restored into another app's add-on.
  const capture = await p.h.send('POST', `/addons/${pg.name}/backups`);
  assert.equal(capture.statusCode, 201, capture.body);
  let backup = capture.json<AddonBackupResource>();
  await p.until('the backup completed', async () => {
    backup = (await p.h.request({ url: `/addons/${pg.name}/backups/${backup.name}` })).json<AddonBackupResource>();
    return backup.status !== 'running';
  }, 60_000);
  assert.deepEqual([backup.name, backup.status, backup.verified], ['b001', 'completed', { tables: 1, rows: 2 }], backup.error ?? '');
  assert.match(backup.sha256 ?? '', /^[0-9a-f]{64}$/);
  const own = await createAddon(p, 'reader', { plan: 'postgresql', attachment: { name: 'archive' } });
  assert.deepEqual(own.config_vars, ['ARCHIVE_URL']);
  await live(p, 'reader', 'reader with ARCHIVE_URL', (body) => body.notes === 2);
  const restored = await p.h.send('POST', `/addons/${own.name}/restores`, { backup: 'b001', from: pg.name });
  assert.equal(restored.statusCode, 200, restored.body);
  assert.equal(psqlWith((await config(p, 'reader')).ARCHIVE_URL ?? '', 'SELECT string_agg(body, \',\' ORDER BY id) FROM notes').out, 'first,second');

  // Nothing said a URL: not the platform's log, not the activity.
  const secrets = [before.DATABASE_URL, after.DATABASE_URL, vars.REDIS_URL].map((url) => new URL(url ?? '').password);
  const activity = (await p.h.request({ url: '/apps/notes/activity' })).body + (await p.h.request({ url: '/apps/notes/logs?lines=1500' })).body;
  for (const secret of secrets) {
    assert.ok(secret.length >= 64);
    assert.equal(p.h.logs().includes(secret), false, 'a credential reached the platform log');
    assert.equal(activity.includes(secret), false, 'a credential reached the activity or the app log');
  }

  // Destroying the owner needs its name, and says which other app loses what.
  const refused = await p.h.send('DELETE', '/apps/notes');
  assert.equal(refused.statusCode, 409);
  const message = refused.json<{ message: string }>().message;
  assert.match(message, /^notes owns .*: destroying it destroys their data, and reader loses DATABASE_URL/);
  for (const name of [pg.name, 'notes-cache']) assert.ok(message.includes(name), message);
  assert.equal((await p.h.request({ method: 'DELETE', url: '/apps/notes?confirm=notes' })).statusCode, 200);
  assert.equal((await config(p, 'reader')).DATABASE_URL, undefined);
  assert.ok((await current(p, 'reader'))?.description.includes('DATABASE_URL'));
  assert.equal((await p.h.request({ url: `/addons/${pg.id}` })).statusCode, 404);
});
