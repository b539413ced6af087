import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { createFakeProvider } from '../src/addons/providers/fake.js';
import { createLocalProvider } from '../src/addons/providers/local/local-provider.js';
import { findPostgresBin } from '../src/addons/providers/local/postgres-engine.js';
import { restartDelayMs } from '../src/addons/providers/local/server-supervisor.js';
import { createLogger } from '../src/logger.js';
import { providerContract } from './addon-provider-contract.js';
import assert from 'node:assert/strict';

test('the fake provider keeps the provider contract', async (t) => {
  await providerContract(t, () => createFakeProvider({ pollsToProvision: 2 }), { reachable: false });
});

test('the local provider keeps the provider contract (Debian postgresql and redis-server)', { timeout: 300_000 }, async (t) => {
  if (!findPostgresBin() || !existsSync('/usr/bin/redis-server')) {
    if (process.env.CI) assert.fail('postgresql and redis-server must be installed in CI');
    return t.skip('postgresql or redis-server is not installed (apt-get install postgresql redis-server)');
  }
  await providerContract(t, (dataDir) => createLocalProvider({ dataDir, logger: createLogger('silent') }), { reachable: true });
});

test('a dead add-on server is restarted after 0.25 s, doubling up to 30 s', () => {
  assert.deepEqual([1, 2, 3, 4, 8, 20].map(restartDelayMs), [250, 500, 1000, 2000, 30_000, 30_000]);
});
