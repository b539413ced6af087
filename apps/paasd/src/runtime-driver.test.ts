import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import type Docker from 'dockerode';

import { dockerOptionsOf } from './docker-engine.js';
import { assertRuntimeAvailable, createRuntimeDriver, runtimeOf } from './runtime-driver.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

test('auto is Docker when an engine answered, else local; a named runtime stays itself', () => {
  const engine = {} as Docker;
  assert.equal(runtimeOf('auto', engine), 'docker');
  assert.equal(runtimeOf('auto', undefined), 'local');
  assert.equal(runtimeOf('local', engine), 'local');
  assert.equal(runtimeOf('docker', engine), 'docker');
});

test('the local runtime is made from the table; one needing an engine is refused without one', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'paas-runtime-choice-'));
  try {
    const driver = createRuntimeDriver('local', { config: { dataDir, stackImage: undefined }, docker: undefined, logger: silent });
    assert.equal(driver.name, 'local');
    await driver.close();
    assert.throws(() => createRuntimeDriver('docker', { config: { dataDir, stackImage: undefined }, docker: undefined, logger: silent }), /PAAS_RUNTIME=docker needs a Docker engine/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('DOCKER_HOST becomes dockerode options: a socket path or a plain TCP address', () => {
  assert.deepEqual(dockerOptionsOf(undefined), { socketPath: '/var/run/docker.sock' });
  assert.deepEqual(dockerOptionsOf('unix:///run/engine.sock'), { socketPath: '/run/engine.sock' });
  assert.deepEqual(dockerOptionsOf('tcp://10.0.0.5:2376'), { host: '10.0.0.5', port: 2376, protocol: 'http' });
  assert.deepEqual(dockerOptionsOf('tcp://engine'), { host: 'engine', port: 2375, protocol: 'http' });
});

test('local and docker are available; auto always is', () => {
  assertRuntimeAvailable('auto');
  assertRuntimeAvailable('local');
  assertRuntimeAvailable('docker');
});

test('swarm is refused at start while its driver cannot run processes, saying what to use', () => {
  assert.throws(() => assertRuntimeAvailable('swarm'), /PAAS_RUNTIME=swarm is not available yet.*PAAS_RUNTIME=docker/);
});
