import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { AddonProvider, AddonServiceName, Operation } from '../src/addons/provider.js';

export interface ProviderCapabilities {
  /** URLs reach real servers: the suite writes and reads through them. */
  readonly reachable: boolean;
  /** A URL the test host can use for one handed to apps (the docker provider's name a container on the apps' network). */
  readonly fromHost?: (url: string) => Promise<string>;
}

/** Polls `lastOperation` until the operation is no longer in progress. */
export async function provisioned(provider: AddonProvider, id: string, service: AddonServiceName, timeoutMs = 90_000): Promise<Operation> {
  let operation = provider.provision(id, service);
  const deadline = Date.now() + timeoutMs;
  while (operation.state === 'in progress' && Date.now() < deadline) {
    await sleep(100);
    operation = provider.lastOperation(id);
  }
  return operation;
}

/** Runs SQL through psql with a URL the provider handed out; the exit status and output. */
export function psqlWith(url: string, sql: string): { ok: boolean; out: string } {
  const run = spawnSync('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url], { input: sql, encoding: 'utf8', timeout: 20_000 });
  return { ok: run.status === 0, out: `${run.stdout}${run.stderr}`.trim() };
}

export function redisWith(url: string, ...args: string[]): { ok: boolean; out: string } {
  const run = spawnSync('redis-cli', ['--no-auth-warning', '-u', url, ...args], { encoding: 'utf8', timeout: 20_000 });
  // redis-cli exits 0 even on an auth error: the reply says it.
  const out = `${run.stdout}${run.stderr}`.trim();
  return { ok: run.status === 0 && !/NOAUTH|WRONGPASS|ERR|Could not connect/.test(out), out };
}

/** Every provider must pass this: OSB's idempotence rules, then (where reachable) the URLs and backups work. */
export async function providerContract(t: TestContext, make: (dataDir: string) => AddonProvider, caps: ProviderCapabilities): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paas-addons-contract-'));
  const provider = make(dataDir);
  await provider.start();
  t.after(async () => {
    await provider.stopAll();
    await provider.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const fromHost = async (url: string): Promise<string> => (caps.fromHost ? caps.fromHost(url) : url);

  for (const service of ['postgresql', 'redis'] as const) {
    await t.test(`${service}: provision, bind, unbind and deprovision are idempotent by id`, async () => {
      const id = randomUUID();
      { const op = await provisioned(provider, id, service); assert.equal(op.state, 'succeeded', op.description); }
      assert.equal(provider.provision(id, service).state, 'succeeded', 'provisioning again answers the same instance');
      const first = await provider.bind(id, 'binding-a');
      assert.match(first.url, service === 'redis' ? /^redis:\/\/u[0-9a-f]+:[0-9a-f]{64}@/ : /^postgres:\/\/u[0-9a-f]+:[0-9a-f]{64}@/);
      assert.equal((await provider.bind(id, 'binding-a')).url, first.url, 'the same binding id gives the same credentials');
      const second = await provider.bind(id, 'binding-b');
      assert.notEqual(second.url, first.url);
      const firstUrl = await fromHost(first.url);
      const secondUrl = await fromHost(second.url);
      if (caps.reachable) {
        if (service === 'postgresql') {
          assert.equal(psqlWith(firstUrl, 'CREATE TABLE notes (body text); INSERT INTO notes VALUES (\'kept\');').ok, true);
          assert.deepEqual(psqlWith(secondUrl, 'SELECT body FROM notes;'), { ok: true, out: 'kept' }, 'every binding reaches the same data');
        } else {
          assert.equal(redisWith(firstUrl, 'SET', 'note', 'kept').ok, true);
          assert.deepEqual(redisWith(secondUrl, 'GET', 'note'), { ok: true, out: 'kept' });
        }
      }
      await provider.unbind(id, 'binding-a');
      await provider.unbind(id, 'binding-a');
      if (caps.reachable) {
        const check = service === 'postgresql' ? psqlWith(firstUrl, 'SELECT 1;') : redisWith(firstUrl, 'PING');
        assert.equal(check.ok, false, 'an unbound URL no longer works');
        const still = service === 'postgresql' ? psqlWith(secondUrl, 'SELECT count(*) FROM notes;') : redisWith(secondUrl, 'GET', 'note');
        assert.equal(still.ok, true, still.out);
      }
      assert.ok(Object.keys(await provider.info(id)).includes('Version'));
      await provider.deprovision(id);
      await provider.deprovision(id);
      assert.equal(provider.lastOperation(id).state, 'failed');
    });
  }

  if (provider.backups) {
    await t.test('postgresql: a backup is captured, verified by counting tables and rows, and restored', async () => {
      const id = randomUUID();
      { const op = await provisioned(provider, id, 'postgresql'); assert.equal(op.state, 'succeeded', op.description); }
      const url = await fromHost((await provider.bind(id, 'b')).url);
      if (caps.reachable) psqlWith(url, 'CREATE TABLE a (n int); INSERT INTO a SELECT generate_series(1, 5); CREATE TABLE b (n int); INSERT INTO b VALUES (1);');
      const file = join(dataDir, 'backup.dump');
      await provider.backups?.capture(id, file);
      const counted = await provider.backups?.verify(id, file);
      if (caps.reachable) {
        assert.deepEqual(counted, { tables: 2, rows: 6 });
        psqlWith(url, 'DROP TABLE a; CREATE TABLE c (n int);');
      }
      await provider.backups?.restore(id, file);
      if (caps.reachable) assert.deepEqual(psqlWith(url, 'SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b), to_regclass(\'c\') IS NULL;'), { ok: true, out: '6|t' });
      await provider.deprovision(id);
    });
  }
}
