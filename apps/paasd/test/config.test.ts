import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ConfigError, loadConfig } from '../src/config.js';

test('defaults', () => {
  const config = loadConfig({}, '/srv');
  assert.equal(config.port, 5100);
  assert.equal(config.routerPort, 8080);
  assert.equal(config.domain, 'localhost');
  assert.equal(config.dataDir, '/srv/.paas-data');
  assert.equal(config.runtime, 'auto');
  assert.equal(config.apiToken, undefined);
  assert.equal(config.keepReleases, 20);
  assert.equal(config.gcIntervalMs, 3_600_000);
  assert.ok(Object.isFrozen(config));
});

test('every bad variable is reported at once', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', PAAS_ROUTER_PORT: '70000', PAAS_RUNTIME: 'k8s', PAAS_DOMAIN: 'bad domain', PAAS_API_TOKEN: 'short', LOG_LEVEL: 'loud', PAAS_KEEP_RELEASES: '0', PAAS_GC_INTERVAL: 'hourly' }),
    (error: unknown) => error instanceof ConfigError && error.problems.length === 8,
  );
});
