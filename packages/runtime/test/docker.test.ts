import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type TestContext, test } from 'node:test';

import Docker from 'dockerode';

import { stackRecipe } from '@paas/stack';

import { type DockerDriverOptions, createDockerDriver, runtimeImageName, slugImageName } from '../src/index.js';
import { COMMANDS, makeContractSlug, makeSlug } from './contract-app.js';
import { STACK_IMAGE, dockerForTests, removeLeftovers } from './docker-engine.js';
import { type DriverHarness, driverContract } from './driver-contract.js';

driverContract('docker', async (): Promise<DriverHarness | { skip: string }> => {
  const found = await dockerForTests();
  if ('skip' in found) return found;
  // Its own instance: other paasd and test runs sharing the engine are not this suite's to list.
  const options: DockerDriverOptions = { docker: found.docker, stackImage: STACK_IMAGE, instance: `contract-${String(process.pid)}` };
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
  const driver = createDockerDriver({ docker, stackImage: STACK_IMAGE, instance: `labels-${String(process.pid)}` });
  t.after(async () => {
    await driver.close();
    await removeLeftovers(docker, [app], [slug]);
    rmSync(workDir, { recursive: true, force: true });
  });

  await Promise.all([driver.prepare(slug), driver.prepare(slug)]);
  const image = await docker.getImage(slugImageName(slug.checksum)).inspect();
  assert.equal(image.Config.Labels?.['paas.slug'], slug.checksum);
  assert.equal(image.Config.User, 'app');
  const stack = await docker.getImage(STACK_IMAGE).inspect();
  assert.equal(image.RootFS.Layers?.length, (stack.RootFS.Layers?.length ?? 0) + 1, 'the slug is one layer on the stack, with no copy of it to change owners');
  await driver.prepare(slug);
  assert.equal((await docker.getImage(slugImageName(slug.checksum)).inspect()).Id, image.Id, 'reused, not rebuilt');

  const info = await driver.start({ app, release: 3, type: 'web', index: 2, slug, command: 'exec sleep 60', env: { DYNO: 'web.2' }, memoryMb: 96 });
  const inspected = await docker.getContainer(info.id).inspect();
  assert.match(inspected.Name, new RegExp(`^/paas-${app}-web\\.2-r3-[0-9a-f]+$`));
  assert.deepEqual(
    Object.fromEntries(Object.entries(inspected.Config.Labels).filter(([key]) => key.startsWith('paas.'))),
    {
      'paas.app': app,
      'paas.release': '3',
      'paas.type': 'web',
      'paas.index': '2',
      'paas.managed': 'true',
      'paas.instance': `labels-${String(process.pid)}`,
      'paas.slug': slug.checksum,
      // From the stack image the slug's image is made on: which recipe its OS came from.
      'paas.stack.recipe': stackRecipe(),
    },
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
  const owners = new PassThrough();
  const statted = await driver.run(
    { app, release: 3, name: 'run.8', slug, command: 'stat -c %U /app/server.py /app/.profile.d /app/.profile.d/paas.sh', env: {}, memoryMb: 64 },
    { stdout: owners, stderr: new PassThrough() },
  );
  assert.equal(statted.exitCode, 0);
  assert.equal(String(owners.read()), 'app\napp\napp\n', 'the slug\'s files belong to the app user');
  const oneOffs = await docker.listContainers({ all: true, filters: { label: [`paas.app=${app}`] } });
  assert.deepEqual(oneOffs, [], 'the one-off container is gone');
});

test('docker: a slug with a runtime layer is one layer over a runtime image made once and shared; the process sees both as /app', { timeout: 180_000 }, async (t) => {
  const found = await dockerForTests();
  if ('skip' in found) return t.skip(found.skip);
  const { docker } = found;
  const workDir = mkdtempSync(join(tmpdir(), 'paas-docker-layer-'));
  // A layer of its own to this run: its image is made here, not found from another run.
  const layer = makeSlug(workDir, { '.heroku/node/bin/tool': `layer ${String(process.pid)} ${String(Date.now())}\n` });
  const slugs = [1, 2].map((n) => ({ ...makeSlug(workDir, { 'app.txt': `app ${String(n)}\n` }), runtimeLayer: { checksum: layer.checksum, path: layer.path } }));
  const runtime = runtimeImageName(STACK_IMAGE, layer.checksum);
  const driver = createDockerDriver({ docker, stackImage: STACK_IMAGE, instance: `layers-${String(process.pid)}` });
  t.after(async () => {
    await driver.close();
    await removeLeftovers(docker, [], slugs);
    await docker.getImage(runtime).remove({ force: true }).catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  });

  await Promise.all(slugs.map((slug) => driver.prepare(slug)));
  const base = await docker.getImage(runtime).inspect();
  assert.equal(base.Config.Labels?.['paas.layer'], layer.checksum);
  for (const slug of slugs) {
    const image = await docker.getImage(slugImageName(slug.checksum)).inspect();
    assert.equal(image.RootFS.Layers?.length, (base.RootFS.Layers?.length ?? 0) + 1, 'the app is one layer over the runtime image');
    assert.deepEqual(image.RootFS.Layers?.slice(0, -1), base.RootFS.Layers, 'both slug images share the runtime image');
    assert.equal(image.Config.User, 'app');
  }
  const second = slugs[1];
  assert.ok(second);
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const result = await driver.run(
    { app: `dl-${String(process.pid)}`, release: 1, name: 'run.1', slug: second, command: 'cat app.txt .heroku/node/bin/tool; echo "$HOME $(id -un)"; touch written', env: {}, memoryMb: 96 },
    { stdout, stderr: new PassThrough() },
  );
  assert.equal(result.exitCode, 0);
  assert.match(Buffer.concat(chunks).toString(), /^app 2\nlayer \d+ \d+\n\/app app\n$/);
});

test('docker: drivers of two installations on one engine neither list, adopt, watch nor stop the other\'s processes', { timeout: 120_000 }, async (t) => {
  const found = await dockerForTests();
  if ('skip' in found) return t.skip(found.skip);
  const { docker } = found;
  const workDir = mkdtempSync(join(tmpdir(), 'paas-docker-instances-'));
  const slug = makeContractSlug(workDir);
  const app = `dki-${String(process.pid)}`;
  const ours = createDockerDriver({ docker, stackImage: STACK_IMAGE, instance: `ours-${String(process.pid)}` });
  const theirs = createDockerDriver({ docker, stackImage: STACK_IMAGE, instance: `theirs-${String(process.pid)}` });
  const theirExits: string[] = [];
  theirs.subscribe((event) => {
    if (event.type === 'exit') theirExits.push(event.id);
  });
  t.after(async () => {
    await Promise.all([ours.close(), theirs.close()]);
    await removeLeftovers(docker, [app], [slug]);
    rmSync(workDir, { recursive: true, force: true });
  });

  // The same app name and process on both sides, as two test runs or benches would have.
  const mine = await ours.start({ app, release: 2, type: 'web', index: 1, slug, command: 'exec sleep 60', env: {}, memoryMb: 96 });
  const other = await theirs.start({ app, release: 2, type: 'web', index: 1, slug, command: 'exec sleep 60', env: {}, memoryMb: 96 });
  assert.deepEqual((await ours.list()).filter((p) => p.app === app).map((p) => p.id), [mine.id]);
  assert.deepEqual((await theirs.list()).filter((p) => p.app === app).map((p) => p.id), [other.id]);
  await assert.rejects(theirs.stop(mine.id, { graceMs: 1000 }), /not a process of this platform/);
  assert.equal((await docker.getContainer(mine.id).inspect()).State.Running, true);

  await ours.stop(mine.id, { graceMs: 1000 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.deepEqual(theirExits, [], 'no exit reported for a process of another installation');
  assert.equal((await docker.getContainer(other.id).inspect()).State.Running, true);
});

test("docker: the first listing removes one-off containers a dead paasd left, not one in flight nor another installation's", { timeout: 120_000 }, async (t) => {
  const found = await dockerForTests();
  if ('skip' in found) return t.skip(found.skip);
  const { docker } = found;
  const workDir = mkdtempSync(join(tmpdir(), 'paas-docker-sweep-'));
  const slug = makeContractSlug(workDir);
  const app = `dks-${String(process.pid)}`;
  const instance = `sweep-${String(process.pid)}`;
  const driver = createDockerDriver({ docker, stackImage: STACK_IMAGE, instance });
  const abort = new AbortController();
  const made: string[] = [];
  t.after(async () => {
    abort.abort();
    await driver.close();
    for (const id of made) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    await removeLeftovers(docker, [app], [slug]);
    rmSync(workDir, { recursive: true, force: true });
  });
  const oneOffs = async (of: string): Promise<Docker.ContainerInfo[]> => docker.listContainers({ all: true, filters: { label: ['paas.oneoff=true', `paas.instance=${of}`] } });
  // One in flight (this driver's own), then a leftover of the same installation and one of another, as a killed paasd leaves them.
  const running = driver.run({ app, release: 1, name: 'run.1', slug, command: 'exec sleep 60', env: {}, memoryMb: 96 }, { stdout: new PassThrough(), stderr: new PassThrough(), signal: abort.signal });
  const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await until('the one-off in flight', async () => (await oneOffs(instance)).some((c) => c.State === 'running'));
  const [inFlight] = await oneOffs(instance);
  const leftover = async (of: string): Promise<string> => {
    const container = await docker.createContainer({ Image: STACK_IMAGE, Cmd: ['sleep', '60'], Labels: { 'paas.app': app, 'paas.oneoff': 'true', 'paas.instance': of } });
    made.push(container.id);
    await container.start();
    return container.id;
  };
  const ours = await leftover(instance);
  const theirs = await leftover(`other-${instance}`);
  await driver.list();
  await until('the leftover removed', async () => !(await oneOffs(instance)).some((c) => c.Id === ours));
  assert.deepEqual((await oneOffs(instance)).map((c) => c.Id), [inFlight?.Id], 'the one-off in flight stays');
  assert.deepEqual((await oneOffs(`other-${instance}`)).map((c) => c.Id), [theirs], "another installation's stays");
  abort.abort();
  assert.equal((await running).exitCode, null);
});

test('docker: a listing does not wait on the engine while it holds a running container (an archive read keeps its lock)', { timeout: 120_000 }, async (t) => {
  const found = await dockerForTests();
  if ('skip' in found) return t.skip(found.skip);
  const { docker } = found;
  const workDir = mkdtempSync(join(tmpdir(), 'paas-docker-locked-'));
  const slug = makeContractSlug(workDir);
  const app = `dkl-${String(process.pid)}`;
  const driver = createDockerDriver({ docker, stackImage: STACK_IMAGE, instance: `locked-${String(process.pid)}` });
  // Closed first: the container cannot be removed while the engine holds it.
  const held: { archive?: NodeJS.ReadableStream } = {};
  t.after(async () => {
    (held.archive as { destroy?: () => void } | undefined)?.destroy?.();
    await driver.close();
    await removeLeftovers(docker, [app], [slug]);
    rmSync(workDir, { recursive: true, force: true });
  });

  const info = await driver.start({ app, release: 2, type: 'web', index: 1, slug, command: 'exec sleep 60', env: {}, memoryMb: 96 });
  // The engine holds a container's lock from an archive request until its stream is closed:
  // the same lock its start, stop cleanup and removal hold, which an inspection waits on.
  held.archive = await docker.getContainer(info.id).getArchive({ path: '/usr' });
  const locked = await Promise.race([
    docker.getContainer(info.id).inspect().then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 2000)),
  ]);
  if (!locked) return t.skip('this engine does not hold the container lock through an archive read');
  const listing = await Promise.race([
    driver.list(),
    new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 10_000)),
  ]);
  assert.notEqual(listing, 'waited', 'the listing answered while the engine held the container');
  assert.deepEqual(
    (listing as Awaited<ReturnType<typeof driver.list>>).filter((p) => p.app === app).map((p) => ({ id: p.id, status: p.status })),
    [{ id: info.id, status: 'running' }],
  );
});

/**
 * A unix socket in front of the engine's that passes everything on and notes the request
 * lines ("GET /v1.41/containers/…/changes") it sees: which calls a driver made.
 */
async function recordingEngine(t: TestContext, docker: Docker): Promise<{ docker: Docker; requests: string[] } | { skip: string }> {
  // docker-modem keeps a path, or (no DOCKER_HOST) a function that finds the default one.
  const configured = (docker.modem as { socketPath?: unknown }).socketPath;
  const engineSocket = typeof configured === 'function' ? await (configured as () => Promise<string>)() : configured;
  if (typeof engineSocket !== 'string') return { skip: 'the engine is not reached over a unix socket' };
  const dir = mkdtempSync(join(tmpdir(), 'paas-engine-proxy-'));
  const socketPath = join(dir, 'engine.sock');
  const requests: string[] = [];
  const server = createServer((client) => {
    const engine = connect(engineSocket);
    client.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('latin1').matchAll(/^(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.[01]\r$/gm)) requests.push(`${line[1] ?? ''} ${line[2] ?? ''}`);
    });
    client.on('error', () => engine.destroy());
    engine.on('error', () => client.destroy());
    client.pipe(engine).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { docker: new Docker({ socketPath }), requests };
}

test('docker: usage diffs a container only once it has written something (the engine holds a container through a diff)', { timeout: 120_000 }, async (t) => {
  const found = await dockerForTests();
  if ('skip' in found) return t.skip(found.skip);
  const recording = await recordingEngine(t, found.docker);
  if ('skip' in recording) return t.skip(recording.skip);
  const workDir = mkdtempSync(join(tmpdir(), 'paas-docker-usage-'));
  const slug = makeContractSlug(workDir);
  const app = `dku-${String(process.pid)}`;
  const driver = createDockerDriver({ docker: recording.docker, stackImage: STACK_IMAGE, instance: `usage-${String(process.pid)}` });
  t.after(async () => {
    await driver.close();
    await removeLeftovers(found.docker, [app], [slug]);
    rmSync(workDir, { recursive: true, force: true });
  });
  const diffsOf = (id: string): number => recording.requests.filter((r) => r.startsWith('GET ') && r.includes(`/containers/${id}/changes`)).length;
  const usage = driver.usage?.bind(driver);
  if (usage === undefined) return assert.fail('the Docker driver reports usage');

  const quiet = await driver.start({ app, release: 2, type: 'worker', index: 1, slug, command: 'exec sleep 60', env: {}, memoryMb: 96 });
  for (let i = 0; i < 3; i += 1) {
    const used = await usage(quiet.id);
    assert.ok(used && used.memoryMb > 0, JSON.stringify(used));
    assert.deepEqual(used.writes, [], 'nothing written');
  }
  assert.equal(diffsOf(quiet.id), 0, 'a container that wrote nothing is never diffed');

  const output: string[] = [];
  driver.subscribe((event) => {
    if (event.type === 'output') output.push(event.line);
  });
  const writer = await driver.start({ app, release: 2, type: 'worker', index: 2, slug, command: COMMANDS.writer, env: {}, memoryMb: 96 });
  for (let waited = 0; !output.some((line) => line.includes('wrote')); waited += 100) {
    assert.ok(waited < 30_000, `the writer did not write: ${JSON.stringify(output)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const first = await usage(writer.id);
  assert.ok(first?.writes?.includes('written.txt'), JSON.stringify(first));
  const again = await usage(writer.id);
  assert.deepEqual(again?.writes, first?.writes, 'the same files, remembered');
  assert.equal(diffsOf(writer.id), 1, 'diffed once: its writable layer has not changed since');
});
