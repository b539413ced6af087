import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ConfigError, loadConfig } from '../src/config.js';

test('defaults', () => {
  const config = loadConfig({}, '/srv');
  assert.equal(config.port, 5100);
  assert.equal(config.routerPort, 8080);
  assert.equal(config.rendezvousPort, 5101);
  assert.equal(config.domain, 'localhost');
  assert.equal(config.dataDir, '/srv/.paas-data');
  assert.equal(config.runtime, 'auto');
  assert.equal(config.apiToken, undefined);
  assert.equal(config.keepReleases, 20);
  assert.equal(config.gcIntervalMs, 3_600_000);
  assert.equal(config.routerThread, true);
  assert.ok(Object.isFrozen(config));
});

test('every bad variable is reported at once', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', PAAS_ROUTER_PORT: '70000', PAAS_RUNTIME: 'k8s', PAAS_DOMAIN: 'bad domain', PAAS_API_TOKEN: 'short', LOG_LEVEL: 'loud', PAAS_KEEP_RELEASES: '0', PAAS_GC_INTERVAL: 'hourly' }),
    (error: unknown) => error instanceof ConfigError && error.problems.length === 8,
  );
});

test('PAAS_BUILD_TIMEOUT takes seconds or a duration; PAAS_ALLOW_PRIVATE_TARGETS is off by default', () => {
  assert.equal(loadConfig({}).buildTimeoutMs, 15 * 60_000);
  assert.equal(loadConfig({}).allowPrivateTargets, false);
  assert.equal(loadConfig({ PAAS_BUILD_TIMEOUT: '900' }).buildTimeoutMs, 900_000);
  assert.equal(loadConfig({ PAAS_BUILD_TIMEOUT: '90s' }).buildTimeoutMs, 90_000);
  assert.equal(loadConfig({ PAAS_BUILD_TIMEOUT: '30m' }).buildTimeoutMs, 30 * 60_000);
  assert.equal(loadConfig({ PAAS_BUILD_TIMEOUT: '1h' }).buildTimeoutMs, 3_600_000);
  assert.equal(loadConfig({ PAAS_ALLOW_PRIVATE_TARGETS: '1' }).allowPrivateTargets, true);
  assert.equal(loadConfig({ PAAS_ROUTER_THREAD: '0' }).routerThread, false);
  assert.throws(() => loadConfig({ PAAS_ROUTER_THREAD: 'no' }), /PAAS_ROUTER_THREAD="no" must be 1 or 0/);
  assert.throws(
    () => loadConfig({ PAAS_BUILD_TIMEOUT: 'soon', PAAS_ALLOW_PRIVATE_TARGETS: 'yes', PORT: 'x' }),
    (error: unknown) => error instanceof ConfigError && error.problems.length === 3 && /PAAS_BUILD_TIMEOUT="soon" must be a duration/.test(error.message),
  );
  assert.throws(() => loadConfig({ PAAS_BUILD_TIMEOUT: '0' }), /PAAS_BUILD_TIMEOUT/);
});

test('add-on memory: 512 MB for PostgreSQL and 256 MB for Redis unless set; at least 64 MB', () => {
  assert.deepEqual(loadConfig({}).addonMemoryMb, { postgresql: 512, redis: 256 });
  assert.deepEqual(loadConfig({ PAAS_ADDON_POSTGRESQL_MEMORY: '2048', PAAS_ADDON_REDIS_MEMORY: '64' }).addonMemoryMb, { postgresql: 2048, redis: 64 });
  assert.throws(
    () => loadConfig({ PAAS_ADDON_POSTGRESQL_MEMORY: '512m', PAAS_ADDON_REDIS_MEMORY: '32' }),
    (error: unknown) => error instanceof ConfigError && error.problems.length === 2 && /PAAS_ADDON_REDIS_MEMORY="32" must be a whole number of MB, from 64/.test(error.message),
  );
});

test('the edge: HTTPS port, platform certificate files together, ACME directory and contact', () => {
  const config = loadConfig({}, '/srv');
  assert.equal(config.routerTlsPort, 8443);
  assert.equal(config.tls, undefined);
  assert.equal(config.acmeDirectory, 'https://acme-v02.api.letsencrypt.org/directory');
  assert.deepEqual(loadConfig({ PAAS_TLS_CERT_FILE: 'tls/c.pem', PAAS_TLS_KEY_FILE: '/k.pem' }, '/srv').tls, { certFile: '/srv/tls/c.pem', keyFile: '/k.pem' });
  assert.throws(
    () => loadConfig({ PAAS_TLS_CERT_FILE: '/c.pem', PAAS_ACME_DIRECTORY: 'ftp://x', PAAS_ACME_EMAIL: 'nobody', PAAS_ROUTER_TLS_PORT: '99999' }),
    (error: unknown) =>
      error instanceof ConfigError && error.problems.length === 4 && /PAAS_TLS_CERT_FILE and PAAS_TLS_KEY_FILE go together/.test(error.message),
  );
});

test('DOCKER_HOST must be a unix socket or a plain TCP address', () => {
  assert.equal(loadConfig({}).dockerHost, undefined);
  assert.equal(loadConfig({ DOCKER_HOST: 'unix:///run/docker.sock' }).dockerHost, 'unix:///run/docker.sock');
  assert.equal(loadConfig({ DOCKER_HOST: 'tcp://10.0.0.5:2375' }).dockerHost, 'tcp://10.0.0.5:2375');
  for (const bad of ['/var/run/docker.sock', 'ssh://me@host', 'tcp://', 'unix://relative/path']) {
    assert.throws(() => loadConfig({ DOCKER_HOST: bad }), (error: unknown) => error instanceof ConfigError && /DOCKER_HOST=.* is not an engine address/.test(error.message), bad);
  }
});

test('an unknown PAAS_RUNTIME is refused, naming the runtimes there are', () => {
  assert.throws(() => loadConfig({ PAAS_RUNTIME: 'kubernetes' }), /PAAS_RUNTIME="kubernetes" must be one of auto, local, docker, swarm/);
});

test('several Swarm nodes: a registry address, the reach (node once a registry is set), each node engine, all checked', () => {
  assert.deepEqual(loadConfig({}).swarm, { registry: undefined, reach: 'gateway', nodeEngines: {} });
  assert.deepEqual(loadConfig({ PAAS_SWARM_REGISTRY: '10.0.0.1:5000', PAAS_SWARM_NODE_ENGINES: 'w2=unix:///run/paas/w2.sock, w3=tcp://10.0.0.3:2375' }).swarm, {
    registry: '10.0.0.1:5000',
    reach: 'node',
    nodeEngines: { w2: 'unix:///run/paas/w2.sock', w3: 'tcp://10.0.0.3:2375' },
  });
  assert.throws(
    () => loadConfig({ PAAS_SWARM_REGISTRY: 'http://10.0.0.1:5000', PAAS_SWARM_REACH: 'mesh', PAAS_SWARM_NODE_ENGINES: 'w2=ssh://w2' }),
    (error: unknown) =>
      error instanceof ConfigError && error.problems.length === 3 && /PAAS_SWARM_REGISTRY=.* is not host:port/.test(error.message) && /PAAS_SWARM_NODE_ENGINES has "w2=ssh:\/\/w2"/.test(error.message),
  );
});
