import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';

import Docker from 'dockerode';

import type { DynoResource, LogSessionResource, LogStreamFrame, ReleaseResource } from '@paas/core';
import { ensureRegistryImage } from '@paas/runtime';
import { type Cluster, type ClusterNode, clusterUnsupported, copyImage, ensurePythonStack, startCluster } from '@paas/runtime/testing';
import { DEFAULT_STACK_IMAGE, baseImageOf, ensureStackImage } from '@paas/stack';
import WebSocket from 'ws';

import { TOKEN, dockerUnavailable } from './harness.js';
import { runOneOff } from './one-off-client.js';
import { instanceOf, launchPaasd } from './paasd-child.js';
import { FIXTURES, type PlatformUnderTest, startPlatform, steadyLoad } from './platform-under-test.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const dynos = async (p: PlatformUnderTest, app: string): Promise<DynoResource[]> => (await p.h.request({ url: `/apps/${app}/dynos` })).json<DynoResource[]>();
const releases = async (p: PlatformUnderTest, app: string): Promise<ReleaseResource[]> => (await p.h.request({ url: `/apps/${app}/releases` })).json<ReleaseResource[]>();
const bodyOf = (body: string): { dyno: string; greeting: string | null } => JSON.parse(body) as { dyno: string; greeting: string | null };

/** More than Docker's 10 MB json-file rotates at, as in the driver contract's test. */
const BURST_LINES = 200_000;
const BURST = `seq -f '%g of a burst, long enough to pass 10 MB of log' 1 ${String(BURST_LINES)}; exec sleep 3600`;

interface Task {
  NodeID: string;
  Status: { State: string };
  Spec: { ContainerSpec: { Labels?: Record<string, string> } };
}

/** The running tasks of the app `web`'s processes of one type, from the manager. */
async function tasksOf(cluster: Cluster, type = 'web'): Promise<Task[]> {
  const tasks = (await cluster.manager.docker.listTasks({ filters: { 'desired-state': ['running'] } })) as Task[];
  return tasks.filter((task) => task.Status.State === 'running' && task.Spec.ContainerSpec.Labels?.['paas.app'] === 'web' && task.Spec.ContainerSpec.Labels['paas.type'] === type);
}

/** Labels a node as `docker node update --label-add` does. */
async function labelNode(cluster: Cluster, node: ClusterNode, labels: Record<string, string>): Promise<void> {
  const handle = cluster.manager.docker.getNode(node.nodeId);
  const { Version, Spec } = (await handle.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
  await handle.update({ ...Spec, Labels: labels, version: Version.Index });
}

/** `paas logs --tail` for one process: its frames as they arrive over the log session's websocket. */
async function tailProcess(p: PlatformUnderTest, app: string, dyno: string): Promise<{ frames: LogStreamFrame[]; close: () => void }> {
  const session = (await p.h.send('POST', `/apps/${app}/log-sessions`, { tail: true, lines: 0, dyno })).json<LogSessionResource>();
  const socket = new WebSocket(`${p.api.replace('http', 'ws')}${new URL(session.logplex_url).pathname}`);
  const frames: LogStreamFrame[] = [];
  socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as LogStreamFrame));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return { frames, close: () => socket.close() };
}

/** Which cluster nodes run a one-off container of this installation's now (asked of each node's engine). */
async function oneOffNodes(cluster: Cluster): Promise<number[]> {
  const found = await Promise.all(cluster.nodes.map(async (node) => ((await node.docker.listContainers({ filters: { label: ['paas.oneoff=true'] } })).length > 0 ? [node.index] : [])));
  return found.flat();
}

/**
 * The whole platform on its own three-node swarm (engines in network namespaces, see
 * `@paas/runtime/testing`): paasd on the manager's engine with the slug registry and each
 * worker's engine. A push serves through the router from processes on several nodes; a
 * rollback under steady load fails no request; `paas run` runs on a worker and returns its
 * output and exit code; a burst of 200,000 lines from a process pinned to a worker reaches
 * `paas logs` whole and in order; a worker's engine stops and its processes answer from the
 * others, with the acknowledged release.
 */
test('three swarm nodes: push, rollback under load, one-offs and a log burst on workers, a stopped engine moves its processes', { timeout: 900_000 }, async (t) => {
  const unsupported = clusterUnsupported();
  if (unsupported) return t.skip(`multi-node swarm not possible here: ${unsupported}`);
  const reason = await dockerUnavailable();
  if (reason) return t.skip(reason);
  const main = new Docker();
  const workDir = mkdtempSync(join(tmpdir(), 'paas-stack-'));
  try {
    await ensureStackImage({ docker: main, image: DEFAULT_STACK_IMAGE, workDir });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const stack = await ensurePythonStack(main, baseImageOf(DEFAULT_STACK_IMAGE));
  const registryImage = await ensureRegistryImage(main, stack, silent);

  // The engines check the registry's certificate (no insecure registries): they trust what paasd had them trust.
  const cluster: Cluster = await startCluster(3, { insecureRegistries: false });
  let p: PlatformUnderTest;
  let swarmEnv: Record<string, string> = {};
  const workers = cluster.nodes.filter((node) => node !== cluster.manager);
  const [batch] = workers as [ClusterNode, ...ClusterNode[]];
  try {
    await copyImage(main, stack, [cluster.manager.docker]);
    await copyImage(main, registryImage, [cluster.manager.docker]);
    // The burst type is pinned here (PAAS_PLACEMENT_BURST), so its lines cross from a worker.
    await labelNode(cluster, batch, { tier: 'batch' });
    swarmEnv = {
      PAAS_RUNTIME: 'swarm',
      DOCKER_HOST: `unix://${cluster.manager.socket}`,
      PAAS_STACK_IMAGE: stack,
      PAAS_SWARM_REGISTRY: `${cluster.manager.address}:5000`,
      PAAS_SWARM_NODE_ENGINES: workers.map((node) => `${node.nodeId}=unix://${node.socket}`).join(','),
      PAAS_BOOT_TIMEOUT: '120',
      PAAS_STOP_GRACE: '2',
    };
    p = await startPlatform(t, { ...swarmEnv, PAAS_RENDEZVOUS_PORT: '0', PAAS_ROUTER_TLS_PORT: '0' });
  } catch (error) {
    await cluster.close();
    throw error;
  }
  // After the platform's own cleanup (hooks run in the order they are added), which removes the services.
  t.after(() => cluster.close());
  const nodeName = (id: string): string => `n${String(cluster.nodes.findIndex((node) => node.nodeId === id))}`;

  let mark = Date.now();
  await p.h.send('POST', '/apps', { name: 'web' });
  await p.h.request({ method: 'PUT', url: '/apps/web/buildpack-installations', payload: { updates: [{ buildpack: 'procfile' }] } });
  // One-offs are pinned too, so the one a killed paasd leaves behind is on a worker.
  const pinned = await p.h.send('PATCH', '/apps/web/config-vars', { PAAS_PLACEMENT_BURST: 'tier=batch', PAAS_PLACEMENT_RUN: 'tier=batch' });
  assert.equal(pinned.statusCode, 200, pinned.body);
  const procfile = `${readFileSync(join(FIXTURES, 'py-web', 'Procfile'), 'utf8').trim()}\nburst: ${BURST}\n`;
  const repo = await p.git.repo('web', { files: { 'server.py': readFileSync(join(FIXTURES, 'py-web', 'server.py'), 'utf8'), Procfile: procfile } }, `${p.api}/web.git`);
  const pushed = await p.git.run(repo, ['push', 'paas', 'main']);
  assert.equal(pushed.code, 0, pushed.out);
  await p.until('web.1 answering through the router', async () => (await p.get('web')).status === 200, 180_000);
  t.diagnostic(`push to first answer: ${String(Date.now() - mark)} ms`);
  // paasd made the registry with TLS (a certificate from its local CA) and a password (both kept in its data dir).
  await registryRefusesStrangers(t, cluster, p.h.dataDir);
  const beforeGreeting = (await releases(p, 'web'))[0]?.version ?? 0;

  mark = Date.now();
  await p.h.send('PATCH', '/apps/web/formation', { updates: [{ type: 'web', quantity: 3 }] });
  await p.h.send('PATCH', '/apps/web/config-vars', { GREETING: 'acknowledged' });
  const answering = async (greeting: string | null): Promise<boolean> => {
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 3; i += 1) {
      const answer = await p.get('web');
      if (answer.status !== 200 || bodyOf(answer.body).greeting !== greeting) return false;
      seen.add(bodyOf(answer.body).dyno);
    }
    return seen.size === 3;
  };
  await p.until('three processes of the new config answering', () => answering('acknowledged'), 180_000);
  t.diagnostic(`scale to 3 and config:set, all answering: ${String(Date.now() - mark)} ms`);
  const placed = await dynos(p, 'web');
  t.diagnostic(`nodes: ${JSON.stringify(placed.map((d) => [d.name, d.node]))}`);
  assert.ok(placed.every((d) => d.node !== undefined), "ps shows every process's node");
  const used = new Set((await tasksOf(cluster)).map((task) => task.NodeID));
  t.diagnostic(`processes per node: ${JSON.stringify((await tasksOf(cluster)).map((task) => nodeName(task.NodeID)))} (n0 is the manager)`);
  assert.ok(used.size >= 2, `the three processes run on ${String(used.size)} node(s)`);
  const pulledOverTls = await workersWithSlug(cluster);
  t.diagnostic(`workers that pulled the slug from the registry over TLS: n${pulledOverTls.join(',n')}`);
  assert.ok(pulledOverTls.length > 0, 'a worker pulled the slug over TLS');

  // Rollback to the release before GREETING, under steady load: the processes it replaces are on several nodes.
  mark = Date.now();
  const load = steadyLoad(p, 'web', t);
  await p.h.send('POST', '/apps/web/releases', { release: `v${String(beforeGreeting)}` });
  const rolledBack = (await releases(p, 'web'))[0]?.version ?? 0;
  await p.until('three processes of the rollback answering', async () => (await answering(null)) && (await dynos(p, 'web')).filter((d) => d.type === 'web').every((d) => d.release.version === rolledBack), 180_000);
  const { ok, failed } = await load.stop(21);
  t.diagnostic(`rollback across nodes under load: ${String(ok)} requests, ${String(failed.length)} failed, all three of v${String(rolledBack)} answering ${String(Date.now() - mark)} ms after it was asked`);
  assert.deepEqual(failed, [], `${String(failed.length)} failed requests during the rollback`);
  assert.ok(ok > 20, `only ${String(ok)} requests were made`);

  // `paas run`: placed on a worker (the manager carries the registry too), output and exit code back.
  mark = Date.now();
  const where = new Set<number>();
  let running = true;
  const watching = (async () => {
    while (running) {
      for (const index of await oneOffNodes(cluster).catch(() => [])) where.add(index);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const run = await runOneOff(p.api, 'web', `sleep 2; echo "out \\$(not expanded) $((40+2))"; exit 3`);
  running = false;
  await watching;
  t.diagnostic(`paas run on n${[...where].join(',n')}: ${String(Date.now() - mark)} ms to its exit code`);
  assert.deepEqual(run.result, { ...run.result, exit_code: 3 }, JSON.stringify(run));
  assert.match(run.stdout, /out \$\(not expanded\) 42/);
  assert.equal(where.size, 1, 'the one-off ran on one node');
  assert.ok(!where.has(cluster.manager.index), 'the one-off ran on a worker');
  // `paas run --detach`: its output lands in the app's log.
  const detached = await p.h.send('POST', '/apps/web/dynos', { command: 'echo detached-$((20+22))' });
  const { name: detachedName } = detached.json<{ name: string }>();
  await p.until('the detached output in the log', async () => (await p.h.request({ url: '/apps/web/logs?lines=500' })).body.includes(`app[${detachedName}]: detached-42`), 60_000);

  // A burst from a process on a worker: counted as `paas logs --tail` receives it, and as the log router has it.
  const numbers: number[] = [];
  let lastAt = 0;
  let firstAt = 0;
  const router = p.h.platform.logs.subscribe('web', { ps: 'burst.1', source: 'app' }, {
    send: (message) => {
      if (message.type !== 'line' || !message.line.endsWith('of a burst, long enough to pass 10 MB of log')) return;
      if (numbers.length === 0) firstAt = Date.now();
      numbers.push(Number(message.line.split(' ')[0]));
      lastAt = Date.now();
    },
    backlog: () => 0,
  });
  t.after(() => router.close());
  const tail = await tailProcess(p, 'web', 'burst.1');
  t.after(() => tail.close());
  mark = Date.now();
  await p.h.send('PATCH', '/apps/web/formation', { updates: [{ type: 'burst', quantity: 1 }] });
  await p.until(() => `${String(BURST_LINES)} lines of the burst (${String(numbers.length)} so far)`, () => numbers.length >= BURST_LINES, 180_000);
  await new Promise((resolve) => setTimeout(resolve, 2000)); // a repeat would come after the last line
  const burstNodes = (await tasksOf(cluster, 'burst')).map((task) => task.NodeID);
  t.diagnostic(`burst of ${String(BURST_LINES)} lines from ${burstNodes.map(nodeName).join(',')}: all in the log ${String(lastAt - mark)} ms after the scale, ${String(lastAt - firstAt)} ms first to last line`);
  assert.deepEqual(burstNodes, [batch.nodeId], 'the burst runs on the labelled worker');
  const firstOff = numbers.findIndex((n, i) => n !== i + 1);
  const paasdSaw = p.h.logs().split('\n').filter((line) => /burst|node stopped answering|process exited/.test(line) && !line.includes('"line"')).slice(-20).join('\n');
  assert.equal(numbers.length, BURST_LINES, `no line lost or repeated (first out of order at ${String(firstOff)}: ${JSON.stringify(numbers.slice(Math.max(0, firstOff - 2), firstOff + 3))}); paasd logged:\n${paasdSaw}`);
  assert.ok(numbers.every((n, i) => n === i + 1), 'in order');
  const tailed = tail.frames.flatMap((frame) => (frame.type === 'line' && frame.line.endsWith('of a burst, long enough to pass 10 MB of log') ? [Number(frame.line.split(' ')[0])] : []));
  const missed = tail.frames.reduce((sum, frame) => sum + (frame.type === 'missed' ? frame.count : 0), 0);
  t.diagnostic(`paas logs --tail received ${String(tailed.length)} lines and was told of ${String(missed)} missed (a reader slower than the burst misses lines and is told how many)`);
  assert.equal(tailed.length + missed, BURST_LINES, 'every line reached the tail or was counted as missed');
  assert.ok(tailed.every((n, i) => i === 0 || n > (tailed[i - 1] ?? 0)), 'the tail got them in order');
  await p.h.send('PATCH', '/apps/web/formation', { updates: [{ type: 'burst', quantity: 0 }] });
  await p.until('the burst process stopped', async () => (await tasksOf(cluster, 'burst')).length === 0, 60_000);

  // A worker running web processes stops.
  const victim = workers.find((node) => used.has(node.nodeId)) ?? workers.find((node) => node !== batch);
  assert.ok(victim, 'a worker to stop');
  mark = Date.now();
  await cluster.stopEngine(victim);
  await p.until('three processes answering again, none on the stopped node', async () => {
    if (!(await answering(null))) return false;
    return (await tasksOf(cluster)).filter((task) => task.NodeID !== victim.nodeId).length >= 3;
  }, 120_000);
  t.diagnostic(`engine stopped: three processes answering with the acknowledged release, elsewhere, ${String(Date.now() - mark)} ms after the stop began`);
  t.diagnostic(`processes per node after: ${JSON.stringify((await tasksOf(cluster)).map((task) => nodeName(task.NodeID)))}; stopped: ${nodeName(victim.nodeId)}`);
  assert.equal((await dynos(p, 'web')).filter((d) => d.type === 'web').length, 3);

  // paasd killed (kill -9) while a detached one-off runs on a worker: the one-off outlives it,
  // and the next paasd on the same data dir removes it (no live session owns it).
  const survivor = workers.find((node) => node !== victim);
  assert.ok(survivor, 'a worker still running');
  await labelNode(cluster, survivor, { tier: 'batch' });
  await p.h.close();
  await sweptAfterKill(t, cluster, survivor, p.h.dataDir, swarmEnv);
});

/**
 * The slug registry speaks TLS only, with a certificate of paasd's local CA for its address: a
 * plain HTTP client is refused, a client trusting that CA gets 401 without the password; every
 * worker pulled over TLS (its engine checks certificates: it was told to trust that CA for the
 * registry's address, in `/etc/docker/certs.d`).
 */
async function registryRefusesStrangers(t: TestContext, cluster: Cluster, dataDir: string): Promise<void> {
  const address = `${cluster.manager.address}:5000`;
  const plain = await fetch(`http://${address}/v2/`).then((response) => `HTTP ${String(response.status)}`, (error: unknown) => `failed: ${String(error)}`);
  t.diagnostic(`plain HTTP to the registry: ${plain}`);
  assert.ok(plain === 'HTTP 400' || plain.startsWith('failed'), `plain HTTP is refused (${plain})`);
  const ca = readFileSync(join(dataDir, 'tls', 'ca.crt'), 'utf8');
  const status = await new Promise<number | undefined>((resolve, reject) => {
    httpsGet(`https://${address}/v2/`, { ca }, (response) => {
      response.resume();
      resolve(response.statusCode);
    }).on('error', reject);
  });
  assert.equal(status, 401, 'over TLS, checked against the local CA, the registry asks for the password');
  assert.equal(readFileSync(join('/etc/docker/certs.d', address, 'ca.crt'), 'utf8'), ca, "the nodes' engines trust the local CA for the registry");
}

/** The workers that pulled a slug from the registry (over TLS: their engines check certificates). */
async function workersWithSlug(cluster: Cluster): Promise<number[]> {
  const prefix = `${cluster.manager.address}:5000/paas/slug:`;
  const found = await Promise.all(
    cluster.nodes
      .filter((node) => node !== cluster.manager)
      .map(async (node) => ((await node.docker.listImages()).some((image) => (image.RepoTags ?? []).some((tag) => tag.startsWith(prefix))) ? [node.index] : [])),
  );
  return found.flat();
}

/** The installation's one-off containers on a node's engine, running or not. */
const oneOffsOn = async (node: ClusterNode, instance: string): Promise<Docker.ContainerInfo[]> =>
  node.docker.listContainers({ all: true, filters: { label: ['paas.oneoff=true', `paas.instance=${instance}`] } });

/**
 * paasd as its own process on the platform's data dir (the in-process one closed): a detached
 * one-off pinned to `worker` is running there when paasd is killed with SIGKILL; it is still
 * running after, and gone once the next paasd has started. The app is destroyed at the end.
 */
async function sweptAfterKill(t: TestContext, cluster: Cluster, worker: ClusterNode, dataDir: string, env: Record<string, string>): Promise<void> {
  const instance = instanceOf(dataDir);
  const call = (api: string, method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
  // What paasd said last (but the dead node's event stream retrying): for a failure's message.
  const said = (): string =>
    child
      .output()
      .split('\n')
      .filter((line) => !line.includes('docker event stream ended'))
      .slice(-40)
      .join('\n');
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; paasd logged:\n${said()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  let child = await launchPaasd(dataDir, TOKEN, env);
  try {
    const started = await call(child.api, 'POST', '/apps/web/dynos', { command: 'echo long-one-off; exec sleep 600' });
    assert.equal(started.status, 201, await started.text());
    await until('the detached one-off running on the worker', async () => (await oneOffsOn(worker, instance)).some((c) => c.State === 'running'), 120_000);
    await child.kill();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const left = await oneOffsOn(worker, instance);
    assert.ok(left.some((c) => c.State === 'running'), 'the one-off outlives a paasd killed with SIGKILL');
    const mark = Date.now();
    child = await launchPaasd(dataDir, TOKEN, env);
    await until('the leftover one-off removed by the next paasd', async () => (await oneOffsOn(worker, instance)).length === 0, 60_000);
    t.diagnostic(`one-off left on n${String(worker.index)} by a killed paasd: removed ${String(Date.now() - mark)} ms after the next paasd was started`);
    // Its log line may still be on its way through the pipe when the container is seen gone.
    await until('paasd logging the removal', async () => child.output().includes('"msg":"leftover one-off removed"'), 10_000);
    assert.equal((await call(child.api, 'DELETE', '/apps/web?confirm=web')).status, 200);
    const services = await cluster.manager.docker.listServices({ filters: { label: [`paas.instance=${instance}`, 'paas.app=web'] } });
    assert.equal(services.length, 0, `the app's services are gone; paasd logged:\n${said()}`);
  } finally {
    await child.kill();
  }
}
