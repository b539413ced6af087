import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { ERROR_STATUS } from '@paas/core';

import { loadConfig } from '../src/config.js';

const docs = join(import.meta.dirname, '..', '..', '..', '..', 'docs');

test('docs/api.md lists exactly the registry of error ids, with their statuses', () => {
  const text = readFileSync(join(docs, 'api.md'), 'utf8');
  const rows = [...text.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
  assert.deepEqual(Object.fromEntries(rows), ERROR_STATUS);
});

test('docs/config.md documents every variable paasd reads', () => {
  const text = readFileSync(join(docs, 'config.md'), 'utf8');
  const documented = [...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
  // Every documented variable changes the loaded config: proof that it is read.
  const base = loadConfig({}, '/');
  const samples: Record<string, string> = {
    PORT: '1', HOST: '127.0.0.1', PAAS_ROUTER_PORT: '2', PAAS_DOMAIN: 'apps.example.com', PAAS_DATA_DIR: '/x',
    PAAS_API_TOKEN: 'a'.repeat(20), PAAS_RUNTIME: 'local', DOCKER_HOST: 'unix:///x.sock', PAAS_STACK_IMAGE: 'stack:1', LOG_LEVEL: 'warn', PAAS_BOOT_TIMEOUT: '5', PAAS_STOP_GRACE: '2',
    PAAS_KEEP_RELEASES: '5', PAAS_GC_INTERVAL: '60', PAAS_METRICS_SAMPLE_INTERVAL: '2',
    PAAS_BUILD_TIMEOUT: '10m', PAAS_ALLOW_PRIVATE_TARGETS: '1',
  };
  assert.deepEqual(documented, Object.keys(samples).sort());
  for (const [name, value] of Object.entries(samples)) {
    assert.notDeepEqual(loadConfig({ [name]: value }, '/'), base, `${name} is documented but not read`);
  }
});
