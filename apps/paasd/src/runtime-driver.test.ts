import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import type Docker from 'dockerode';

import { chooseEngine, dockerOptionsOf } from './docker-engine.js';
import { createLogger } from './logger.js';
import { createRuntimeDriver, runtimeOf } from './runtime-driver.js';

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
    for (const name of ['docker', 'swarm'] as const) {
      assert.throws(() => createRuntimeDriver(name, { config: { dataDir, stackImage: undefined }, docker: undefined, logger: silent }), new RegExp(`PAAS_RUNTIME=${name} needs a Docker engine`));
    }
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

test('a runtime that needs an engine is refused at start when the one DOCKER_HOST names does not answer; auto falls back to local', async () => {
  const config = { dockerHost: 'unix:///nonexistent/paas-test.sock' };
  for (const runtime of ['docker', 'swarm'] as const) {
    await assert.rejects(chooseEngine({ ...config, runtime }, createLogger('silent')), new RegExp(`PAAS_RUNTIME=${runtime} but no Docker engine answers at unix:///nonexistent/paas-test.sock`));
  }
  assert.equal(await chooseEngine({ ...config, runtime: 'auto' }, createLogger('silent')), undefined);
  assert.equal(await chooseEngine({ ...config, runtime: 'local' }, createLogger('silent')), undefined);
});
