import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import Docker from 'dockerode';

import type { DynoResource } from '@paas/core';
import { ensureRegistryImage } from '@paas/runtime';
import { type Cluster, clusterUnsupported, copyImage, ensurePythonStack, startCluster } from '@paas/runtime/testing';
import { DEFAULT_STACK_IMAGE, baseImageOf, ensureStackImage } from '@paas/stack';

import { dockerUnavailable } from './harness.js';
import { type PlatformUnderTest, startPlatform } from './platform-under-test.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const dynos = async (p: PlatformUnderTest, app: string): Promise<DynoResource[]> => (await p.h.request({ url: `/apps/${app}/dynos` })).json<DynoResource[]>();
const bodyOf = (body: string): { dyno: string; greeting: string | null } => JSON.parse(body) as { dyno: string; greeting: string | null };

interface Task {
  NodeID: string;
  Status: { State: string };
  Spec: { ContainerSpec: { Labels?: Record<string, string> } };
}

/** The running tasks of the app `web`'s processes, from the manager. */
async function webTasks(cluster: Cluster): Promise<Task[]> {
  const tasks = (await cluster.manager.docker.listTasks({ filters: { 'desired-state': ['running'] } })) as Task[];
  return tasks.filter((task) => task.Status.State === 'running' && task.Spec.ContainerSpec.Labels?.['paas.app'] === 'web');
}

/**
 * The whole platform on its own three-node swarm (engines in network namespaces, see
 * `@paas/runtime/testing`): paasd on the manager's engine with the slug registry and each
 * worker's engine; a push serves through the router from processes on several nodes; a
 * worker's engine stops and its processes answer from the others, with the config change
 * acknowledged before.
 */
test('three swarm nodes: a push serves through the router from processes spread over the nodes; a stopped engine moves them, keeping what was acknowledged', { timeout: 600_000 }, async (t) => {
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

  const cluster: Cluster = await startCluster(3);
  let p: PlatformUnderTest;
  try {
    await copyImage(main, stack, [cluster.manager.docker]);
    await copyImage(main, registryImage, [cluster.manager.docker]);
    const workers = cluster.nodes.filter((node) => node !== cluster.manager);
    p = await startPlatform(t, {
      PAAS_RUNTIME: 'swarm',
      DOCKER_HOST: `unix://${cluster.manager.socket}`,
      PAAS_STACK_IMAGE: stack,
      PAAS_SWARM_REGISTRY: `${cluster.manager.address}:5000`,
      PAAS_SWARM_NODE_ENGINES: workers.map((node) => `${node.nodeId}=unix://${node.socket}`).join(','),
      PAAS_BOOT_TIMEOUT: '120',
      PAAS_STOP_GRACE: '2',
      PAAS_RENDEZVOUS_PORT: '0',
      PAAS_ROUTER_TLS_PORT: '0',
    });
  } catch (error) {
    await cluster.close();
    throw error;
  }
  // After the platform's own cleanup (hooks run in the order they are added), which removes the services.
  t.after(() => cluster.close());

  let mark = Date.now();
  const pushed = await p.pushFixture('web', 'py-web', 'procfile');
  assert.equal(pushed.code, 0, pushed.out);
  await p.until('web.1 answering through the router', async () => (await p.get('web')).status === 200, 180_000);
  t.diagnostic(`push to first answer: ${String(Date.now() - mark)} ms`);

  mark = Date.now();
  await p.h.send('PATCH', '/apps/web/formation', { updates: [{ type: 'web', quantity: 3 }] });
  await p.h.send('PATCH', '/apps/web/config-vars', { GREETING: 'acknowledged' });
  const answering = async (): Promise<boolean> => {
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 3; i += 1) {
      const answer = await p.get('web');
      if (answer.status !== 200 || bodyOf(answer.body).greeting !== 'acknowledged') return false;
      seen.add(bodyOf(answer.body).dyno);
    }
    return seen.size === 3;
  };
  await p.until('three processes of the new config answering', answering, 180_000);
  t.diagnostic(`scale to 3 and config:set, all answering: ${String(Date.now() - mark)} ms`);
  const placed = await dynos(p, 'web');
  t.diagnostic(`nodes: ${JSON.stringify(placed.map((d) => [d.name, d.node]))}`);
  assert.ok(placed.every((d) => d.node !== undefined), "ps shows every process's node");

  // Which nodes run them, by node id (the nodes here share one hostname).
  const nodeName = (id: string): string => `n${String(cluster.nodes.findIndex((node) => node.nodeId === id))}`;
  const before = (await webTasks(cluster)).map((task) => nodeName(task.NodeID));
  t.diagnostic(`processes per node before: ${JSON.stringify(before)} (n0 is the manager)`);
  const used = new Set((await webTasks(cluster)).map((task) => task.NodeID));
  assert.ok(used.size >= 2, `the three processes run on ${String(used.size)} node(s)`);
  const victim = cluster.nodes.find((node) => node !== cluster.manager && used.has(node.nodeId));
  assert.ok(victim, 'a worker runs some of them');

  mark = Date.now();
  await cluster.stopEngine(victim);
  await p.until('three processes answering again, none on the stopped node', async () => {
    if (!(await answering())) return false;
    return (await webTasks(cluster)).filter((task) => task.NodeID !== victim.nodeId).length >= 3;
  }, 120_000);
  t.diagnostic(`engine stopped: three processes answering with the acknowledged config, elsewhere, ${String(Date.now() - mark)} ms after the stop began`);
  t.diagnostic(`processes per node after: ${JSON.stringify((await webTasks(cluster)).map((task) => nodeName(task.NodeID)))}; stopped: ${nodeName(victim.nodeId)}`);
  assert.equal((await dynos(p, 'web')).length, 3);
  await p.h.send('DELETE', '/apps/web');
});
