import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';

import Docker from 'dockerode';

import { DEFAULT_STACK_IMAGE } from '@paas/stack';

import type { AddonProvider } from '../src/addons/provider.js';
import { ensureAddonImage } from '../src/addons/providers/docker/addon-image.js';
import { addonContainerName } from '../src/addons/providers/docker/container-engine.js';
import { createDockerProvider } from '../src/addons/providers/docker/docker-provider.js';
import { ensureAppNetwork } from '../src/app-network.js';
import { sweepInterruptedWork } from '../src/disk/interrupted-work.js';
import { createSlugImages } from '../src/disk/slug-images.js';
import { createLogger } from '../src/logger.js';
import { providerContract, provisioned, psqlWith, redisWith } from './addon-provider-contract.js';
import { dockerUnavailable } from './harness.js';

/** The host reaches containers on a bridge network by address: the URL's container name is swapped for it. */
const fromHost = (docker: Docker, network: string) => async (url: string): Promise<string> => {
  const parsed = new URL(url);
  const info = await docker.getContainer(parsed.hostname).inspect();
  parsed.hostname = info.NetworkSettings.Networks[network]?.IPAddress ?? '';
  return parsed.toString();
};

test('the docker provider keeps the provider contract (add-on containers on the apps\' network)', { timeout: 600_000 }, async (t) => {
  const reason = await dockerUnavailable();
  if (reason) return t.skip(reason);
  const docker = new Docker();
  const instance = `test${randomBytes(6).toString('hex')}`;
  const network = await ensureAppNetwork(docker, instance);
  const scratch = mkdtempSync(join(tmpdir(), 'paas-addon-image-'));
  const providers: AddonProvider[] = [];
  t.after(async () => {
    // First: a provider still watching would make the containers removed below again.
    for (const provider of providers) await provider.close();
    const filters = JSON.stringify({ label: ['paas.addon', `paas.instance=${instance}`] });
    for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true });
    for (const v of (await docker.listVolumes({ filters })).Volumes) await docker.getVolume(v.Name).remove();
    await docker.getNetwork(network).remove();
    rmSync(scratch, { recursive: true, force: true });
  });
  // Made once before the suite (a minute on a fresh machine) so provisioning times measure the containers.
  await ensureAddonImage({ docker, stackImage: DEFAULT_STACK_IMAGE, workDir: scratch });
  let dataDir = '';
  await providerContract(
    t,
    (dir) => {
      dataDir = dir;
      const made = createDockerProvider({ docker, dataDir: dir, instance, network, stackImage: DEFAULT_STACK_IMAGE, logger: createLogger('silent') });
      providers.push(made);
      return made;
    },
    { reachable: true, fromHost: fromHost(docker, network) },
  );

  // The suite's provider stops watching the engine: this test's own must be the only one to see a removal.
  for (const provider of providers) await provider.close();
  /** A started provider of this test's own with the given event callbacks, closed (its watch of the engine's events) after the test. */
  const watchingProvider = async (tt: TestContext, events: Pick<Parameters<typeof createDockerProvider>[0], 'onContainerRemade' | 'onServerExit'>): Promise<ReturnType<typeof createDockerProvider>> => {
    const provider = createDockerProvider({ docker, dataDir, instance, network, stackImage: DEFAULT_STACK_IMAGE, logger: createLogger('silent'), ...events });
    providers.push(provider);
    tt.after(() => provider.close());
    await provider.start();
    return provider;
  };
  await t.test('an add-on\'s volume is labelled kept, outlives its container, and no cleanup of ours touches either', async (tt) => {
    const remade: string[] = [];
    const exits: string[] = [];
    const provider = await watchingProvider(tt, { onContainerRemade: (id) => remade.push(id), onServerExit: (id) => exits.push(id) });
    const id = randomUUID();
    { const op = await provisioned(provider, id, 'postgresql'); assert.equal(op.state, 'succeeded', op.description); }
    const url = await fromHost(docker, network)((await provider.bind(id, 'b')).url);
    assert.equal(psqlWith(url, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (7);').ok, true);
    const name = addonContainerName(id);
    const info = await docker.getContainer(name).inspect();
    assert.equal(info.HostConfig.RestartPolicy?.Name, 'unless-stopped');
    // The plan's memory: the container's limit (no swap beyond it), and the server's buffers sized to fit.
    assert.deepEqual([info.HostConfig.Memory, info.HostConfig.MemorySwap], [512 * 2 ** 20, 512 * 2 ** 20]);
    assert.deepEqual(provider.limits(id, 'postgresql'), { memoryMb: 512 });
    assert.deepEqual(psqlWith(url, 'SHOW shared_buffers;'), { ok: true, out: '128MB' });
    assert.ok(info.NetworkSettings.Networks[network], 'on the apps\' network');
    assert.equal((await docker.getVolume(name).inspect()).Labels['paas.keep'], 'true');

    await sweepInterruptedWork({ dataDir, docker, instance, logger: createLogger('silent') });
    const slugImages = await createSlugImages(docker, DEFAULT_STACK_IMAGE).list();
    assert.ok(!slugImages.some((image) => image.name.startsWith('paas/addons:')), 'the add-on image is not a slug image');
    assert.equal((await docker.getContainer(name).inspect()).State.Running, true, 'the sweep of interrupted work left the container');

    // The container removed by hand: the provider sees it go and makes it again over the same volume at once, so
    // a `docker volume prune` finds the volume in use.
    const removedAt = Date.now();
    await docker.getContainer(name).remove({ force: true });
    const deadline = Date.now() + 10_000;
    while (!remade.includes(id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(remade, [id], 'the removed container was made again');
    assert.deepEqual(exits, [], 'a removal is not told as a server exit');
    tt.diagnostic(`the removed container was made again within ${String(Date.now() - removedAt)} ms`);
    const pruned = await docker.pruneVolumes({ filters: { label: [`paas.instance=${instance}`] } });
    assert.ok(!(pruned.VolumesDeleted ?? []).includes(name), 'a prune left the add-on\'s volume');
    await provider.bind(id, 'b'); // waits until the server is ready again
    const again = await fromHost(docker, network)((await provider.bind(id, 'b')).url);
    assert.deepEqual(psqlWith(again, 'SELECT n FROM kept;'), { ok: true, out: '7' });

    // Removed while no provider watched (paasd down): the next start makes it again over the same volume.
    await provider.close();
    await docker.getContainer(name).remove({ force: true });
    await provider.start();
    await provider.bind(id, 'b');
    assert.deepEqual(psqlWith(await fromHost(docker, network)((await provider.bind(id, 'b')).url), 'SELECT n FROM kept;'), { ok: true, out: '7' });
    assert.deepEqual(remade, [id], 'a container made at start is not news');

    // Redis's plan: its limit, and maxmemory inside it with no eviction (a full Redis refuses writes, it drops no key).
    const cache = randomUUID();
    { const op = await provisioned(provider, cache, 'redis'); assert.equal(op.state, 'succeeded', op.description); }
    assert.equal((await docker.getContainer(addonContainerName(cache)).inspect()).HostConfig.Memory, 256 * 2 ** 20);
    const cacheUrl = await fromHost(docker, network)((await provider.bind(cache, 'b')).url);
    assert.deepEqual(redisWith(cacheUrl, 'CONFIG', 'GET', 'maxmemory'), { ok: true, out: `maxmemory\n${String(192 * 2 ** 20)}` });
    assert.deepEqual(redisWith(cacheUrl, 'CONFIG', 'GET', 'maxmemory-policy'), { ok: true, out: 'maxmemory-policy\nnoeviction' });
    await provider.deprovision(cache);

    await provider.stopAll();
    assert.equal((await docker.getContainer(name).inspect()).State.Running, false);
    await provider.start();
    await provider.bind(id, 'b'); // waits until the server is ready again
    assert.deepEqual(psqlWith(await fromHost(docker, network)((await provider.bind(id, 'b')).url), 'SELECT n FROM kept;'), { ok: true, out: '7' });
    await provider.deprovision(id);
    await assert.rejects(docker.getVolume(name).inspect(), /no such volume/i);
  });

  await t.test('a volume runs on its own major only: the major is recorded, and an image without it refuses to start the server, which is told with the reason', async (tt) => {
    const exits: { id: string; code: number | null; reason?: string }[] = [];
    const provider = await watchingProvider(tt, { onServerExit: (id, detail) => exits.push({ id, code: detail.code, ...(detail.reason === undefined ? {} : { reason: detail.reason }) }) });
    const id = randomUUID();
    { const op = await provisioned(provider, id, 'postgresql'); assert.equal(op.state, 'succeeded', op.description); }
    const major = provider.majorVersion?.(id);
    assert.ok(major !== undefined && major >= 15, `recorded major ${String(major)}`);
    const name = addonContainerName(id);
    const container = docker.getContainer(name);
    // The volume as a cluster of a major this image lacks (as an older Debian's would be to a newer image).
    await container.stop();
    const image = (await container.inspect()).Config.Image;
    const [ran, helper] = (await docker.run(image, ['sh', '-c', 'echo 13 > /srv/postgresql/data/PG_VERSION'], [], { User: 'root', HostConfig: { Mounts: [{ Type: 'volume', Source: name, Target: '/srv/postgresql' }] } })) as [{ StatusCode: number }, Docker.Container];
    await helper.remove();
    assert.equal(ran.StatusCode, 0);
    await container.start();
    const deadline = Date.now() + 20_000;
    while (!exits.some((e) => e.id === id && e.code === 3) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = exits.find((e) => e.id === id && e.code === 3);
    assert.match(refused?.reason ?? '', /^this volume holds a PostgreSQL 13 cluster and the add-on image has PostgreSQL \d+ only: the server was not started and its data is untouched\. It needs an add-on image with postgresql-13\.$/, JSON.stringify(exits));
    await provider.deprovision(id);
  });
});
