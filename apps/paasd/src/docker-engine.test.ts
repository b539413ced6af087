import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { connectEngine, importDockerode } from './docker-engine.js';

test('dockerode loads without ssh2 (its 16 MB WebAssembly memory) or gRPC, and still reaches the engine', async (t) => {
  const external = process.memoryUsage().external;
  const DockerClient = await importDockerode();
  assert.equal(typeof DockerClient, 'function');
  const fromModem = createRequire(createRequire(createRequire(import.meta.url).resolve('dockerode')).resolve('docker-modem'));
  assert.deepEqual(fromModem.cache[fromModem.resolve('ssh2')]?.exports, {}, 'an empty module stands in for ssh2');
  assert.equal(Object.keys(fromModem.cache).some((path) => path.includes('@grpc')), false, 'gRPC is not loaded');
  assert.ok(process.memoryUsage().external - external < 8 * 1024 * 1024, 'no WebAssembly memory was made');
  const found = await connectEngine({ dockerHost: undefined });
  if ('unreachable' in found) {
    if (process.env.CI) assert.fail(`no Docker engine answers: ${found.unreachable}`);
    t.skip(`no Docker engine answers (${found.unreachable}); CI is not set`);
    return;
  }
  assert.equal(String(await found.docker.ping()), 'OK');
});
