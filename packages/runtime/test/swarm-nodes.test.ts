import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { baseImageOf } from '@paas/stack';

import type Docker from 'dockerode';

import { type ProcessInfo, createSwarmDriver, ensureRegistryImage, placementVar, slugImageName } from '../src/index.js';
import { authConfigOf, registryHas } from '../src/drivers/swarm/swarm-registry.js';
import { type SlugCopiesRemoved, execIn } from '../src/drivers/swarm/swarm-slug-copies.js';
import { COMMANDS, httpGet, makeContractSlug } from './contract-app.js';
import { STACK_IMAGE, dockerForTests } from './docker-engine.js';
import { isExit, recordEvents } from './event-recorder.js';
import { type Cluster, clusterNamespaces, clusterUnsupported, copyImage, ensurePythonStack, startCluster } from '../src/testing/index.js';


const REGISTRY_PORT = 5000;

/** A CA and a certificate it signs for the registry's IP address, as paasd's local CA issues one (openssl, argument arrays). */
function registryPki(dir: string, host: string): { ca: string; certificate: string; key: string } {
  const openssl = (args: readonly string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  writeFileSync(join(dir, 'registry.ext'), `subjectAltName=IP:${host}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl(['req', '-new', ...ec, '-keyout', 'registry.key', '-out', 'registry.csr', '-subj', '/CN=test registry']);
  openssl(['x509', '-req', '-in', 'registry.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '0x01', '-days', '2', '-extfile', 'registry.ext', '-out', 'registry.crt']);
  return { ca: readFileSync(join(dir, 'ca.crt'), 'utf8'), certificate: readFileSync(join(dir, 'registry.crt'), 'utf8'), key: readFileSync(join(dir, 'registry.key'), 'utf8') };
}

/** Polls until `check` returns a value, or fails with what it last saw. */
async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Three engines in network namespaces made here, joined as their own swarm (not the main
 * engine's): slug images reach the workers through the registry the driver runs on the
 * manager; processes spread over the nodes and answer at their node's address; a type
 * pinned by a node label goes there; a stopped engine's processes are reported gone, and
 * started again they land on the nodes left.
 */
test('swarm on three nodes: slugs through the registry, spread, pinning by label, a stopped engine moves its processes', { timeout: 300_000 }, async (t) => {
  const unsupported = clusterUnsupported();
  if (unsupported) return t.skip(`multi-node swarm not possible here: ${unsupported}`);
  const found = await dockerForTests();
  if ('skip' in found) return t.skip(found.skip);
  const main = found.docker;

  // The images are made on the main engine (it reaches Debian's archive; the nodes do not).
  let mark = Date.now();
  const stack = await ensurePythonStack(main, baseImageOf(STACK_IMAGE));
  const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };
  const registryImage = await ensureRegistryImage(main, stack, quiet);
  t.diagnostic(`small stack and registry images ready in ${String(Date.now() - mark)} ms`);

  mark = Date.now();
  const cluster: Cluster = await startCluster(3);
  const removals: SlugCopiesRemoved[] = [];
  // The registry asks for a password: paasd pushes and the nodes pull with it, nobody else.
  const access = { address: `${cluster.manager.address}:${String(REGISTRY_PORT)}`, password: randomBytes(18).toString('base64url') };
  const workDir = mkdtempSync(join(tmpdir(), 'paas-swarm-nodes-'));
  const engines = new Map(cluster.nodes.map((node) => [node.nodeId, node.docker]));
  const driver = createSwarmDriver({
    docker: cluster.manager.docker,
    stackImage: stack,
    instance: 'nodes',
    reach: 'node',
    registry: { ...access, run: true },
    nodeEngine: (node) => engines.get(node.id),
    startTimeoutMs: 120_000,
    logger: { ...quiet, info: (fields: unknown, message?: string) => void (message === 'slug copies removed' && removals.push(fields as SlugCopiesRemoved)) },
  });
  t.after(async () => {
    await driver.close();
    await cluster.close();
    rmSync(workDir, { recursive: true, force: true });
    assert.deepEqual(clusterNamespaces(), [], 'every namespace of the run is removed');
  });
  t.diagnostic(`three engines started and joined in ${String(Date.now() - mark)} ms`);
  const [manager, first, second] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];

  // Only the manager gets images by hand: it builds slug images and runs the registry.
  t.diagnostic(`docker save | docker load of the small stack to the manager: ${String(await copyImage(main, stack, [manager.docker]))} ms`);
  t.diagnostic(`docker save | docker load of the registry image to the manager: ${String(await copyImage(main, registryImage, [manager.docker]))} ms`);

  // The first worker carries the label a pinned type asks for.
  const labelled = manager.docker.getNode(first.nodeId);
  const { Version, Spec } = (await labelled.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
  await labelled.update({ ...Spec, Labels: { tier: 'batch' }, version: Version.Index });

  const events = recordEvents(driver);
  const slug = makeContractSlug(workDir);
  const web = (index: number, env: Record<string, string> = {}) =>
    ({ app: 'nodes', release: 1, type: 'web', index, slug, command: COMMANDS.web, env: { DYNO: `web.${String(index)}`, ...env }, memoryMb: 128 }) as const;

  // The first start builds the slug image on the manager and pushes it (with the stack's layers).
  mark = Date.now();
  const one = await driver.start(web(1));
  t.diagnostic(`first process (slug image built, pushed, pulled by its node) in ${String(Date.now() - mark)} ms, on ${one.nodeId ?? '?'}`);
  mark = Date.now();
  const more = await Promise.all([2, 3, 4, 5, 6].map((index) => driver.start(web(index))));
  t.diagnostic(`five more processes at once in ${String(Date.now() - mark)} ms`);
  const webs: ProcessInfo[] = [one, ...more];

  const nodesUsed = new Set(webs.map((info) => info.nodeId));
  t.diagnostic(`web processes per node: ${JSON.stringify(cluster.nodes.map((node) => webs.filter((info) => info.nodeId === node.nodeId).length))}`);
  assert.equal(nodesUsed.size, 3, 'six new processes spread over all three nodes');
  for (const info of webs) {
    assert.ok(cluster.nodes.some((node) => node.address === info.address.host), `${info.name} is reached at its node's address (${info.address.host})`);
    const seen = JSON.parse(await httpGet(info.address, '/')) as { DYNO: string };
    assert.equal(seen.DYNO, info.name, `${info.name} answers from ${info.address.host}:${String(info.address.port)}`);
  }

  const pinned = await driver.start({ app: 'nodes', release: 1, type: 'worker', index: 1, slug, command: 'exec sleep 300', env: { [placementVar('worker')]: 'tier=batch' }, memoryMb: 64 });
  assert.equal(pinned.nodeId, first.nodeId, 'a type pinned by label runs on the labelled node');

  // The second worker's engine stops. Its processes are reported gone once the manager marks the node down.
  const victim = second.nodeId === manager.nodeId ? first : second;
  const lost = webs.filter((info) => info.nodeId === victim.nodeId);
  assert.ok(lost.length > 0);
  mark = Date.now();
  await cluster.stopEngine(victim);
  const stoppedIn = Date.now() - mark;
  await Promise.all(lost.map((info) => events.waitFor(`exit of ${info.name}`, isExit(info.id), 90_000)));
  const goneIn = Date.now() - mark;
  const listed = await driver.list();
  for (const info of lost) assert.equal(listed.find((p) => p.id === info.id)?.status, 'exited', `${info.name} on the stopped node is listed as exited`);
  // What the process manager does next: stop the lost ones and start them again.
  const again = await Promise.all(
    lost.map(async (info) => {
      await driver.stop(info.id, { graceMs: 1000 });
      return driver.start(web(info.index));
    }),
  );
  for (const info of again) {
    assert.notEqual(info.nodeId, victim.nodeId, `${info.name} starts on a node that is up`);
    await eventually(`${info.name} answering`, 30_000, async () => ((JSON.parse(await httpGet(info.address, '/', 2000)) as { DYNO: string }).DYNO === info.name ? true : undefined));
  }
  const movedIn = Date.now() - mark;
  t.diagnostic(`engine stopped in ${String(stoppedIn)} ms; its ${String(lost.length)} processes reported exited ${String(goneIn)} ms after the stop began; started and answering elsewhere ${String(movedIn)} ms after`);

  const downIn = await eventually('the manager marking the node down', 120_000, async () => {
    const state = ((await manager.docker.getNode(victim.nodeId).inspect()) as { Status: { State: string } }).Status.State;
    return state === 'down' ? Date.now() - mark : undefined;
  });
  t.diagnostic(`the manager marked the stopped node down ${String(downIn)} ms after the stop began`);

  for (const info of [...webs.filter((p) => p.nodeId !== victim.nodeId), ...again, pinned]) await driver.stop(info.id, { graceMs: 1000 });
  events.stop();

  // What the disk collector asks for once it removed the slug's image on the manager: the registry's
  // manifest and blobs go, and so do the images nodes pulled (the stopped node is down: skipped).
  const registry = access.address;
  const image = slugImageName(slug.checksum);
  const [repository, tag] = image.split(':') as [string, string];
  const live = cluster.nodes.filter((node) => node !== victim);
  const holding = async (): Promise<number[]> =>
    (await Promise.all(live.map(async (node) => ((await node.docker.getImage(`${registry}/${image}`).inspect().then(() => true, () => false)) ? [node.index] : [])))).flat();
  const registryContainer = async (): Promise<string> => {
    const [found] = await manager.docker.listContainers({ filters: { label: ['com.docker.swarm.service.name=paas-registry-nodes'] } });
    assert.ok(found, 'the registry runs on the manager');
    return found.Id;
  };
  const registryKb = async (): Promise<number> => Number((await execIn(manager.docker, await registryContainer(), ['du', '-sk', '/var/lib/docker-registry'])).output.split('\t')[0]);
  // The registry listens on the manager's swarm address only: not on the node's other addresses (its loopback here).
  const loopback = await execIn(manager.docker, await registryContainer(), ['python3', '-c', 'import socket; socket.create_connection(("127.0.0.1", 5000), 2)']);
  assert.notEqual(loopback.code, 0, 'the registry does not answer on the manager node\'s loopback');
  assert.equal((await fetch(`http://${registry}/v2/`)).status, 401, 'the registry refuses a client without the password');
  assert.equal(await registryHas({ address: registry }, repository, tag), false, 'nor does it show one its manifests');
  assert.equal(await registryHas(access, repository, tag), true);

  // A newer paasd over this registry (made without TLS, as an older paasd made it): the registry is
  // made again with TLS, its volume and the slug in it kept, and a process starts without a push.
  const pki = registryPki(workDir, manager.address);
  const tlsAccess = { ...access, ca: pki.ca };
  const upgraded = createSwarmDriver({
    docker: manager.docker,
    stackImage: stack,
    instance: 'nodes',
    reach: 'node',
    registry: { ...tlsAccess, run: true, tls: { certificate: pki.certificate, key: pki.key } },
    nodeEngine: (node) => engines.get(node.id),
    startTimeoutMs: 120_000,
    logger: { ...quiet, info: (fields: unknown, message?: string) => void (message === 'slug copies removed' && removals.push(fields as SlugCopiesRemoved)) },
  });
  t.after(() => upgraded.close());
  mark = Date.now();
  const onTls = await upgraded.start(web(7));
  t.diagnostic(`registry made again with TLS and a process started from the slug it kept: ${String(Date.now() - mark)} ms`);
  assert.equal(await registryHas(tlsAccess, repository, tag), true, 'the slug pushed before TLS is still in the registry');
  assert.notEqual((await fetch(`http://${registry}/v2/`)).status, 200, 'the registry no longer answers plain HTTP');
  await upgraded.stop(onTls.id, { graceMs: 1000 });
  const heldBefore = await holding();
  t.diagnostic(`nodes holding the slug image: ${JSON.stringify(heldBefore)}; registry ${String(await registryKb())} KiB`);
  assert.ok(heldBefore.length >= 2, 'the slug image was pulled on the nodes that ran processes');

  // The other way to prune nodes, measured for comparison: a global job (one task on every node) running the slug's image.
  mark = Date.now();
  const job = await manager.docker.createService(authConfigOf(access), {
    Name: `paas-prune-probe-${String(process.pid)}`,
    TaskTemplate: { ContainerSpec: { Image: `${registry}/${image}`, Command: ['true'] }, RestartPolicy: { Condition: 'none' } },
    Mode: { GlobalJob: {} },
  } as unknown as Docker.ServiceSpec);
  await eventually('the global job done on every live node', 60_000, async () => {
    const tasks = (await manager.docker.listTasks({ filters: { service: [job.id] } })) as { Status: { State: string } }[];
    return tasks.length === live.length && tasks.every((task) => task.Status.State === 'complete') ? true : undefined;
  });
  const jobMs = Date.now() - mark;
  await manager.docker.getService(job.id).remove();
  await new Promise((resolve) => setTimeout(resolve, 1000)); // Swarm removes a removed job's containers in its own time
  for (const node of live) for (const container of await node.docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.id=${job.id}`] } })) await node.docker.getContainer(container.Id).remove({ force: true });

  const removeCopies = upgraded.removeSlugCopies?.bind(upgraded);
  assert.ok(removeCopies, 'the swarm driver removes slug copies');
  mark = Date.now();
  await removeCopies([image]);
  const removeMs = Date.now() - mark;
  t.diagnostic(`slug copies removed in ${String(removeMs)} ms: ${JSON.stringify(removals)} (node images through each engine: pruneMs; the registry's garbage collection: collectMs); a global job doing nothing on the same nodes took ${String(jobMs)} ms; registry now ${String(await registryKb())} KiB`);
  assert.equal(await registryHas(tlsAccess, repository, tag), false, 'the manifest is gone from the registry');
  assert.deepEqual(await holding(), [], 'no live node holds the slug image');
  const blobs = (await execIn(manager.docker, await registryContainer(), ['find', '/var/lib/docker-registry/docker/registry/v2/blobs', '-name', 'data'])).output.split('\n').filter(Boolean);
  assert.deepEqual(blobs, [], 'the garbage collection freed every blob (the registry held this slug only)');
});
