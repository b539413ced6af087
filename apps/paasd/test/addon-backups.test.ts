import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { createStore } from '@paas/store';

import { createAddonBackups } from '../src/addons/addon-backups.js';
import { createFakeProvider } from '../src/addons/providers/fake.js';
import { createLogger } from '../src/logger.js';

test('scheduled backups run at their hour, keep the retention count, and a failure is said in the app log', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'paas-backups-'));
  const store = createStore({ dataDir });
  t.after(() => {
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  store.apps.create('shop', 'alice');
  const addon = store.addons.create('shop', { id: '0123abcd-0000-4000-8000-000000000001', name: 'postgresql-shop', service: 'postgresql', plan: 'postgresql:fake', provider: 'fake' }, 'alice');
  store.addons.setState(addon.id, 'provisioned');
  store.addons.setSchedule(addon.id, 2, 3, 'alice');
  const provider = createFakeProvider({ pollsToProvision: 0 });
  provider.provision(addon.id, 'postgresql');
  let failing = false;
  const fake = provider.backups;
  assert.ok(fake);
  const withFailures = { ...provider, backups: { ...fake, capture: async (id: string, file: string) => (failing ? Promise.reject(new Error('disk full')) : fake.capture(id, file)) } };
  const said: string[] = [];
  let now = new Date('2026-12-01T01:00:00Z');
  const backups = createAddonBackups({ store, provider: withFailures, dataDir, logger: createLogger('silent'), appLog: (app, _process, line) => said.push(`${app}: ${line}`), clock: () => now });
  const tick = async (iso: string): Promise<void> => {
    now = new Date(iso);
    backups.start(3_600_000);
    await backups.close();
  };
  await tick('2026-12-01T01:30:00Z');
  assert.equal(store.addons.backups(addon.id).length, 0, 'not before 02:00');
  for (const day of ['01', '02', '03', '04', '05']) await tick(`2026-12-${day}T02:05:00Z`);
  await tick('2026-12-05T03:05:00Z');
  const kept = store.addons.backups(addon.id);
  assert.deepEqual(kept.map((b) => [b.number, b.status]), [[5, 'completed'], [4, 'completed'], [3, 'completed']], 'one a day, the newest three kept');
  failing = true;
  await tick('2026-12-06T02:05:00Z');
  assert.equal(store.addons.backups(addon.id)[0]?.status, 'failed');
  assert.deepEqual(said, ['shop: Scheduled backup b006 of postgresql-shop failed: disk full']);
});
