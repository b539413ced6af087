import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';

import Docker from 'dockerode';

import { ensureStackImage } from '@paas/stack';

import { type DockerDriverOptions, type SlugRef, createDockerDriver, slugImageName } from '../src/index.js';
import { makeContractSlug } from './contract-app.js';
import { type DriverHarness, driverContract } from './driver-contract.js';

const STACK_IMAGE = process.env.PAAS_STACK_IMAGE ?? 'paas/stack:bookworm';

/**
 * A Docker client whose engine answers and has the stack image, or why not. Without an
 * engine the tests skip, except in CI (CI installs one); a missing stack image is made.
 */
async function dockerForTests(): Promise<{ docker: Docker } | { skip: string }> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (error) {
    if (process.env.CI) throw new Error(`CI is set but no Docker engine answers: ${String(error)}`);
    return { skip: `no Docker engine reachable (${(error as Error).message}); CI runs this test` };
  }
  // Made from Debian's archive when missing (a minute or two), as paasd does on first need.
  const workDir = mkdtempSync(join(tmpdir(), 'paas-stack-'));
  try {
    await ensureStackImage({ docker, image: STACK_IMAGE, workDir });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return { docker };
}

/**
 * Removes what a test run left in the engine: containers of the apps, the slug images
 * (and the untagged twins two drivers building the same slug at once leave behind).
 */
async function removeLeftovers(docker: Docker, apps: readonly string[], slugs: readonly SlugRef[]): Promise<void> {
  for (const app of apps) {
    for (const container of await docker.listContainers({ all: true, filters: { label: [`paas.app=${app}`] } })) {
      await docker.getContainer(container.Id).remove({ force: true }).catch(() => undefined);
    }
  }
  for (const slug of slugs) {
    await docker.getImage(slugImageName(slug.checksum)).remove({ force: true }).catch(() => undefined);
    await docker.pruneImages({ filters: { dangling: ['true'], label: [`paas.slug=${slug.checksum}`] } });
  }
}

driverContract('docker', async (): Promise<DriverHarness | { skip: string }> => {
  const found = await dockerForTests();
  if ('skip' in found) return found;
  const options: DockerDriverOptions = { docker: found.docker, stackImage: STACK_IMAGE };
  const driver = createDockerDriver(options);
  return {
    driver,
    reopen: () => createDockerDriver(options),
    enforcesMemory: true,
    hostPids: false,
    knowsAdoptedExitCodes: true,
    fixedPort: 5000,
    cleanup: (slugs) => removeLeftovers(found.docker, [], slugs),
  };
});

test('docker: one image per slug, made once; containers carry labels and limits; one-offs are removed', { timeout: 120_000 }, async (t) => {
  const found = await dockerForTests();
  if ('skip' in found) return t.skip(found.skip);
  const { docker } = found;
  const workDir = mkdtempSync(join(tmpdir(), 'paas-docker-driver-'));
  const slug = makeContractSlug(workDir);
  const app = `dk-${String(process.pid)}`;
  const driver = createDockerDriver({ docker, stackImage: STACK_IMAGE });
  t.after(async () => {
    await driver.close();
    await removeLeftovers(docker, [app], [slug]);
    rmSync(workDir, { recursive: true, force: true });
  });

  await Promise.all([driver.prepare(slug), driver.prepare(slug)]);
  const image = await docker.getImage(slugImageName(slug.checksum)).inspect();
  assert.equal(image.Config.Labels?.['paas.slug'], slug.checksum);
  assert.equal(image.Config.User, 'app');
  await driver.prepare(slug);
  assert.equal((await docker.getImage(slugImageName(slug.checksum)).inspect()).Id, image.Id, 'reused, not rebuilt');

  const info = await driver.start({ app, release: 3, type: 'web', index: 2, slug, command: 'exec sleep 60', env: { DYNO: 'web.2' }, memoryMb: 96 });
  const inspected = await docker.getContainer(info.id).inspect();
  assert.match(inspected.Name, new RegExp(`^/paas-${app}-web\\.2-r3-[0-9a-f]+$`));
  assert.deepEqual(
    Object.fromEntries(Object.entries(inspected.Config.Labels).filter(([key]) => key.startsWith('paas.'))),
    { 'paas.app': app, 'paas.release': '3', 'paas.type': 'web', 'paas.index': '2', 'paas.managed': 'true', 'paas.slug': slug.checksum },
  );
  assert.equal(inspected.HostConfig.Memory, 96 * 1024 * 1024);
  assert.equal(inspected.HostConfig.MemorySwap, 96 * 1024 * 1024);
  assert.equal(inspected.HostConfig.PidsLimit, 512);
  assert.equal(inspected.HostConfig.Init, true);
  assert.equal(inspected.HostConfig.RestartPolicy?.Name, 'no');
  assert.ok(inspected.Config.Env.includes('PORT=5000'));
  assert.equal(info.address.host, inspected.NetworkSettings.Networks.bridge?.IPAddress);
  await driver.stop(info.id, { graceMs: 1000 });
  await assert.rejects(docker.getContainer(info.id).inspect(), (error: { statusCode?: number }) => error.statusCode === 404);

  const output = new PassThrough();
  const result = await driver.run(
    { app, release: 3, name: 'run.7', slug, command: 'id -un; touch /app/ok && echo writable', env: {}, memoryMb: 64 },
    { stdout: output, stderr: new PassThrough() },
  );
  assert.equal(result.exitCode, 0);
  assert.equal(String(output.read()), 'app\nwritable\n');
  const oneOffs = await docker.listContainers({ all: true, filters: { label: [`paas.app=${app}`] } });
  assert.deepEqual(oneOffs, [], 'the one-off container is gone');
});
