/**
 * A team on one platform through the real CLI against the real paasd: an admin adds a
 * member and gives them an app; the member logs in with the printed token, sees only that
 * app, makes, rotates and revokes tokens of their own.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { paasdMissingReason, startPaasd } from './paasd-process.js';
import type { RunningPaasd } from './paasd-process.js';
import { runPaas } from './run-paas.js';
import type { PaasRun } from './run-paas.js';

const missing = paasdMissingReason();
// like the Docker tests: skip with a reason on a developer machine, never in CI
const skip = missing !== undefined && !process.env.CI ? missing : false;

function assertOk(run: PaasRun, what: string): void {
  assert.equal(run.code, 0, `${what} failed:\n${run.stderr}${run.stdout}`);
}

/** The secret printed on its own indented line after "shown this once". */
const printedToken = (run: PaasRun): string => /^ {2}(paas_\S+)$/m.exec(run.stdout)?.[1] ?? '';

describe('paas users, access and authorizations against a real paasd', { skip }, () => {
  let paasd: RunningPaasd;
  let adminHome: string;
  let devHome: string;
  const as = (home: string) => (args: string[]): Promise<PaasRun> => runPaas(args, { cwd: home, env: { HOME: home, PAAS_API_URL: paasd.url } });

  before(async () => {
    paasd = await startPaasd();
    adminHome = await mkdtemp(join(tmpdir(), 'paas-cli-admin-'));
    devHome = await mkdtemp(join(tmpdir(), 'paas-cli-dev-'));
    assertOk(await as(adminHome)(['login', '--token', paasd.token]), 'admin login');
  });
  after(async () => {
    await paasd?.stop();
    await rm(adminHome, { recursive: true, force: true });
    await rm(devHome, { recursive: true, force: true });
  });

  it('an admin adds a member, who logs in with the token printed once and sees only the app given', async () => {
    const admin = as(adminHome);
    const dev = as(devHome);
    for (const name of ['shop', 'billing']) assertOk(await admin(['apps:create', name]), `apps:create ${name}`);
    const added = await admin(['users:add', 'dev@example.com']);
    assertOk(added, 'users:add');
    const token = printedToken(added);
    assert.match(token, /^paas_/, added.stdout);
    const users = await admin(['users']);
    assert.match(users.stdout, /^admin@localhost\s+admin\s/m);
    assert.match(users.stdout, /^dev@example\.com\s+member\s/m);
    assertOk(await admin(['access:add', 'dev@example.com', '-a', 'shop', '--permissions', 'deploy']), 'access:add');
    const access = await admin(['access', '-a', 'shop']);
    assert.match(access.stdout, /^admin@localhost\s+owner\s+view,deploy,operate,manage$/m);
    assert.match(access.stdout, /^dev@example\.com\s+collaborator\s+view,deploy$/m);

    const login = await dev(['login', '--token', token]);
    assertOk(login, 'member login');
    assert.match(login.stdout, /as dev@example\.com/);
    const apps = JSON.parse((await dev(['apps', '--json'])).stdout) as { name: string }[];
    assert.deepEqual(apps.map((a) => a.name), ['shop']);
    const hidden = await dev(['config', '-a', 'billing']);
    assert.equal(hidden.code, 1);
    assert.match(hidden.stderr, /Couldn't find that app: billing/);
    assertOk(await dev(['config:set', 'GREETING=hi', '-a', 'shop']), 'config:set by the member');
    const releases = await dev(['releases', '-a', 'shop']);
    assert.match(releases.stdout, /Set GREETING config vars?\s+dev@example\.com/);
    assert.equal((await dev(['users'])).code, 1);
    assert.equal((await dev(['access:add', 'dev@example.com', '-a', 'shop', '--permissions', 'nope'])).code, 2);
  });

  it('a member makes, lists, rotates and revokes their own tokens; a read token cannot change anything', async () => {
    const dev = as(devHome);
    const made = await dev(['authorizations:create', '--description', 'monitor', '--scope', 'read', '--expires-in', '3600']);
    assertOk(made, 'authorizations:create');
    const readToken = printedToken(made);
    const list = JSON.parse((await dev(['authorizations', '--json'])).stdout) as { id: string; description: string; scope: string[]; expires_at: string | null }[];
    const monitor = list.find((a) => a.description === 'monitor');
    assert.ok(monitor);
    assert.deepEqual(monitor.scope, ['read']);
    assert.ok(monitor.expires_at && Date.parse(monitor.expires_at) > Date.now());
    const table = await dev(['authorizations']);
    assert.match(table.stdout, /^ID\s+Description\s+Scope\s+Created\s+Last used\s+Expires$/m);
    const reader = (args: string[]) => runPaas(args, { cwd: devHome, env: { HOME: devHome, PAAS_API_URL: paasd.url, PAAS_API_TOKEN: readToken } });
    assertOk(await reader(['config', '-a', 'shop']), 'config with a read token');
    const refused = await reader(['config:set', 'A=1', '-a', 'shop']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /read-only/);
    const rotated = await dev(['authorizations:rotate', monitor.id]);
    assertOk(rotated, 'authorizations:rotate');
    const newToken = printedToken(rotated);
    assert.notEqual(newToken, readToken);
    assert.equal((await reader(['config', '-a', 'shop'])).code, 1);
    assertOk(await dev(['authorizations:revoke', monitor.id]), 'authorizations:revoke');
    const gone = await runPaas(['config', '-a', 'shop'], { cwd: devHome, env: { HOME: devHome, PAAS_API_URL: paasd.url, PAAS_API_TOKEN: newToken } });
    assert.equal(gone.code, 1);
  });

  it('removing a user stops their token at once', async () => {
    assertOk(await as(adminHome)(['users:remove', 'dev@example.com']), 'users:remove');
    const after = await as(devHome)(['apps']);
    assert.equal(after.code, 1);
  });
});
