import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import Docker from 'dockerode';

import { unmountUnder } from '../drivers/local/local-app-dir.js';

/**
 * A swarm of its own for one test run: Docker engines each in a network namespace made
 * here, with its own data root, exec root, pid file and socket, wired by veth pairs to a
 * bridge in a "switch" namespace, on a private subnet (198.18.N.0/24, the benchmarking
 * range, which Docker never picks for its own networks). The test's own namespace gets an
 * address on that switch too (.1), so paasd's router reaches the nodes as it would reach
 * machines. The main engine and its swarm are not touched.
 *
 * The switch is a namespace, not a bridge on the host: the host's bridged traffic goes
 * through its iptables FORWARD chain, whose policy Docker sets to DROP.
 * The engines are started with `nsenter --net`, not `ip netns exec`: the latter also
 * remounts /sys, which hides the cgroup hierarchy dockerd needs ("Devices cgroup isn't
 * mounted").
 */
export interface ClusterNode {
  readonly index: number;
  readonly namespace: string;
  readonly address: string;
  readonly socket: string;
  readonly docker: Docker;
  /** The swarm's id of this node (set once it joined). */
  nodeId: string;
  readonly dockerd: ChildProcess;
}

export interface Cluster {
  readonly nodes: readonly ClusterNode[];
  readonly manager: ClusterNode;
  /** This namespace's address on the cluster's subnet. */
  readonly hostAddress: string;
  readonly subnet: string;
  readonly dir: string;
  /** Stops a node's engine (SIGTERM: it stops its containers and leaves), as a machine shutting down would. */
  stopEngine(node: ClusterNode): Promise<void>;
  close(): Promise<void>;
}

const PREFIX = 'paas-swc-';
const ENGINE_CERTS_DIR = '/etc/docker/certs.d';

const listed = (path: string): string[] => {
  try {
    return readdirSync(path);
  } catch {
    return []; // none made
  }
};

function ip(args: readonly string[]): void {
  const result = spawnSync('ip', [...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${result.stderr.trim() || String(result.error)}`);
}

/** Why multi-node tests cannot run here, or undefined when they can. */
export function clusterUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces and extra Docker engines need root';
  for (const tool of ['ip', 'nsenter', 'dockerd']) {
    if (spawnSync('which', [tool]).status !== 0) return `${tool} is not installed (the iproute2, util-linux and docker.io packages)`;
  }
  // Overlay networks are VXLAN: the kernel must make vxlan links (a throwaway namespace tries one).
  const probe = `${PREFIX}probe-${String(process.pid)}`;
  try {
    ip(['netns', 'add', probe]);
    ip(['-n', probe, 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'dev', 'lo']);
  } catch (error) {
    return `the kernel cannot make the vxlan links Swarm's overlay networks need (${(error as Error).message})`;
  } finally {
    spawnSync('ip', ['netns', 'del', probe]);
  }
  return undefined;
}

/** Namespaces of earlier runs whose process is gone (a run killed before its cleanup). */
function removeStale(): void {
  const listed = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of listed.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const pid = /^paas-swc-(\d+)-/.exec(name)?.[1];
    if (!pid || pid === String(process.pid)) continue;
    try {
      process.kill(Number(pid), 0);
    } catch {
      // That run is gone: its engines died with it or are orphans in the namespace.
      killNamespace(name);
      spawnSync('ip', ['netns', 'del', name]);
      spawnSync('ip', ['link', 'del', `pswc${pid}`]);
    }
  }
}

/** Kills every process left in a namespace (containerd shims, containers of a killed engine). */
function killNamespace(name: string): void {
  const pids = (spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

async function waitForEngine(docker: Docker, dockerd: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (dockerd.exitCode !== null) throw new Error(`dockerd exited with ${String(dockerd.exitCode)}; see ${log}`);
    if (await docker.ping().then(() => true, () => false)) return;
    if (Date.now() > deadline) throw new Error(`dockerd did not answer within 30 s; see ${log}`);
    await sleep(200);
  }
}

function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface ClusterOptions {
  /**
   * Whether the engines take every registry on the cluster's subnet as insecure (plain HTTP,
   * or TLS unchecked): the default, for a registry without TLS. False: each engine checks a
   * registry's certificate against the CAs in `/etc/docker/certs.d/<host:port>/` (shared by
   * the engines here, which have their own network namespace but the host's files).
   */
  readonly insecureRegistries?: boolean;
}

/** Starts `size` engines in namespaces and joins them as one swarm (the first is its manager). */
export async function startCluster(size: number, options: ClusterOptions = {}): Promise<Cluster> {
  removeStale();
  const pid = String(process.pid);
  const third = 1 + (process.pid % 250);
  const subnet = `198.18.${String(third)}.0/24`;
  const at = (host: number): string => `198.18.${String(third)}.${String(host)}`;
  const dir = mkdtempSync(join(tmpdir(), 'paas-swarm-cluster-'));
  const switchNs = `${PREFIX}${pid}-sw`;
  const hostLink = `pswc${pid}`;
  const nodes: ClusterNode[] = [];
  const namespaces: string[] = [];

  const close = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => stopProcess(node.dockerd, 20_000)));
    for (const name of namespaces) killNamespace(name);
    for (const node of nodes) await unmountUnder(join(dir, `n${String(node.index)}`));
    for (const name of namespaces) spawnSync('ip', ['netns', 'del', name]);
    spawnSync('ip', ['link', 'del', hostLink]);
    rmSync(dir, { recursive: true, force: true });
    // The CAs a registry on a node had the engines trust (written to the host's files, which the engines share).
    for (const entry of listed(ENGINE_CERTS_DIR)) if (nodes.some((node) => entry.startsWith(`${node.address}:`))) rmSync(join(ENGINE_CERTS_DIR, entry), { recursive: true, force: true });
  };

  try {
    ip(['netns', 'add', switchNs]);
    namespaces.push(switchNs);
    ip(['-n', switchNs, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', switchNs, 'link', 'set', 'br0', 'up']);
    ip(['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', 'host', 'netns', switchNs]);
    ip(['-n', switchNs, 'link', 'set', 'host', 'master', 'br0', 'up']);
    ip(['addr', 'add', `${at(1)}/24`, 'dev', hostLink]);
    ip(['link', 'set', hostLink, 'up']);
    for (let index = 0; index < size; index += 1) {
      const namespace = `${PREFIX}${pid}-n${String(index)}`;
      ip(['netns', 'add', namespace]);
      namespaces.push(namespace);
      ip(['-n', switchNs, 'link', 'add', `n${String(index)}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
      ip(['-n', switchNs, 'link', 'set', `n${String(index)}`, 'master', 'br0', 'up']);
      ip(['-n', namespace, 'addr', 'add', `${at(index + 2)}/24`, 'dev', 'eth0']);
      ip(['-n', namespace, 'link', 'set', 'eth0', 'up']);
      ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
      ip(['-n', namespace, 'route', 'add', 'default', 'via', at(1)]);
      const root = join(dir, `n${String(index)}`);
      mkdirSync(root, { recursive: true });
      const socket = join(root, 'docker.sock');
      const log = join(root, 'dockerd.log');
      const out = openSync(log, 'a');
      const dockerd = spawn(
        'nsenter',
        [`--net=/run/netns/${namespace}`, '--', 'dockerd', '--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '--pidfile', join(root, 'dockerd.pid'), '-H', `unix://${socket}`, ...(options.insecureRegistries === false ? [] : ['--insecure-registry', subnet])],
        { stdio: ['ignore', out, out] },
      );
      const docker = new Docker({ socketPath: socket });
      nodes.push({ index, namespace, address: at(index + 2), socket, docker, nodeId: '', dockerd });
      await waitForEngine(docker, dockerd, log);
    }
    const [manager, ...workers] = nodes as [ClusterNode, ...ClusterNode[]];
    await manager.docker.swarmInit({ ListenAddr: `${manager.address}:2377`, AdvertiseAddr: manager.address });
    const token = ((await manager.docker.swarmInspect()) as { JoinTokens: { Worker: string } }).JoinTokens.Worker;
    for (const worker of workers) {
      await worker.docker.swarmJoin({ ListenAddr: `${worker.address}:2377`, AdvertiseAddr: worker.address, RemoteAddrs: [`${manager.address}:2377`], JoinToken: token });
    }
    for (const node of nodes) node.nodeId = ((await node.docker.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
  } catch (error) {
    await close();
    throw error;
  }
  return {
    nodes,
    manager: nodes[0] as ClusterNode,
    hostAddress: at(1),
    subnet,
    dir,
    stopEngine: (node) => stopProcess(node.dockerd, 20_000),
    close,
  };
}

/** The names of this run's leftover namespaces, for a test that checks its cleanup. */
export function clusterNamespaces(): string[] {
  let listed: string[] = [];
  try {
    listed = readdirSync('/run/netns');
  } catch {
    // No namespace was ever made here: nothing left over.
  }
  return listed.filter((name) => name.startsWith(`${PREFIX}${String(process.pid)}-`));
}
