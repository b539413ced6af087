import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import type Docker from 'dockerode';

import { type SlugRef, type SwarmDriverOptions, createSwarmDriver } from '../src/index.js';
import { makeContractSlug } from './contract-app.js';
import { STACK_IMAGE, dockerForTests, removeLeftovers } from './docker-engine.js';
import { type DriverHarness, driverContract } from './driver-contract.js';


/**
 * A manager's engine: a one-node swarm on loopback is made when the engine is in none
 * (as CI's is), else the swarm it is in is used. Skipped only where no engine answers
 * and CI is not set, or where the engine is a worker (it cannot create services).
 */
async function swarmForTests(): Promise<{ docker: Docker } | { skip: string }> {
  const found = await dockerForTests();
  if ('skip' in found) return found;
  const { docker } = found;
  const swarm = ((await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } }).Swarm;
  if (swarm?.LocalNodeState === 'active') {
    if (swarm.ControlAvailable) return { docker };
    const reason = 'the engine is a swarm worker, which cannot create services; run the tests on a manager';
    if (process.env.CI) throw new Error(`CI is set but ${reason}`);
    return { skip: reason };
  }
  await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' }).catch((error: unknown) => {
    // 503 "already part of a swarm": another test file made it meanwhile.
    if ((error as { statusCode?: number }).statusCode !== 503) throw error;
  });
  return { docker };
}

// The swarm is not left after the run: test files run side by side, and leaving while another
// one is between services (a one-off on the overlay) removed its network under it.

/** Removes the services and the overlay network of an installation, then the slug images. */
async function removeInstallation(docker: Docker, instance: string, slugs: readonly SlugRef[]): Promise<void> {
  for (const service of await docker.listServices({ filters: { label: [`paas.instance=${instance}`] } })) {
    await docker.getService(service.ID).remove().catch(() => undefined);
  }
  // The network goes once the services' tasks have let go of it.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const removed = await docker
      .getNetwork(`paas-${instance}`)
      .remove()
      .then(() => true, (error: unknown) => (error as { statusCode?: number }).statusCode === 404);
    if (removed) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await removeLeftovers(docker, [], slugs);
}

driverContract('swarm', async (): Promise<DriverHarness | { skip: string }> => {
  const found = await swarmForTests();
  if ('skip' in found) return found;
  const instance = `contract-swarm-${String(process.pid)}`;
  const options: SwarmDriverOptions = { docker: found.docker, stackImage: STACK_IMAGE, instance };
  return {
    driver: createSwarmDriver(options),
    reopen: () => createSwarmDriver(options),
    enforcesMemory: true,
    hostPids: false,
    knowsAdoptedExitCodes: true,
    fixedPort: 5000,
    cleanup: (slugs) => removeInstallation(found.docker, instance, slugs),
  };
});

test('swarm: one service per process, one replica, never restarted by Swarm, its size as the memory limit, on an attachable overlay', { timeout: 120_000 }, async (t) => {
  const found = await swarmForTests();
  if ('skip' in found) return t.skip(found.skip);
  const { docker } = found;
  const workDir = mkdtempSync(join(tmpdir(), 'paas-swarm-driver-'));
  const slug = makeContractSlug(workDir);
  const instance = `spec-swarm-${String(process.pid)}`;
  const driver = createSwarmDriver({ docker, stackImage: STACK_IMAGE, instance });
  t.after(async () => {
    await driver.close();
    await removeInstallation(docker, instance, [slug]);
    rmSync(workDir, { recursive: true, force: true });
  });

  const info = await driver.start({ app: 'sw-spec', release: 3, type: 'web', index: 2, slug, command: 'exec sleep 60', env: { DYNO: 'web.2' }, memoryMb: 96 });
  const service = (await docker.getService(info.id).inspect()) as Docker.Service & {
    Spec: { Mode: { Replicated?: { Replicas?: number } }; TaskTemplate: { RestartPolicy?: { Condition?: string }; Resources?: { Limits?: { MemoryBytes?: number } } } };
  };
  assert.match(service.Spec.Name ?? '', /^paas-sw-spec-web-2-r3-[0-9a-f]{6}$/);
  assert.equal(service.Spec.Mode.Replicated?.Replicas, 1);
  assert.equal(service.Spec.TaskTemplate.RestartPolicy?.Condition, 'none');
  assert.equal(service.Spec.TaskTemplate.Resources?.Limits?.MemoryBytes, 96 * 1024 * 1024);
  const network = (await docker.getNetwork(`paas-${instance}`).inspect()) as { Driver: string; Attachable: boolean; Scope: string };
  assert.deepEqual([network.Driver, network.Attachable, network.Scope], ['overlay', true, 'swarm']);
  assert.deepEqual(
    (await driver.list()).map((p) => [p.id, p.name, p.status]),
    [[info.id, 'web.2', 'running']],
  );
  await driver.stop(info.id, { graceMs: 1000 });
  assert.deepEqual(await docker.listServices({ filters: { label: [`paas.instance=${instance}`] } }), [], 'the service is gone');
});
