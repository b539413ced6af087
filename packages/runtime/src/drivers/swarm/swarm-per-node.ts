import type Docker from 'dockerode';

import type { DriverLogger } from '../shared/driver-logger.js';
import type { NodeEngines, SwarmNode } from './swarm-nodes.js';

const PING_TIMEOUT_MS = 3000;

/** Whether an engine answers a ping within 3 s (a stopped one refuses at once). */
export async function engineAnswers(engine: Docker): Promise<boolean> {
  return Promise.race([engine.ping().then(() => true, () => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), PING_TIMEOUT_MS).unref())]);
}

export interface PerNode {
  /**
   * Does the work on every ready node of `known` that paasd reaches and that it was not done
   * on yet by this driver (a paasd start); resolves once those are done. A node that was down
   * or did not answer is done when it is next seen answering; a failure is logged and tried
   * again at the next visit, never thrown.
   */
  visit(known: ReadonlyMap<string, SwarmNode>, unreachable: ReadonlySet<string>): Promise<void>;
}

/** Work each node's engine needs once per driver: the sweep of leftover one-offs, the registry's CA. */
export function perNodeOnce(options: { nodes: NodeEngines; what: string; logger: DriverLogger; work: (engine: Docker, node: SwarmNode) => Promise<void> }): PerNode {
  const { nodes, logger } = options;
  // Done or under way, by node id.
  const done = new Map<string, Promise<void>>();
  /** False: the node's engine did not answer (tried again at a later visit). */
  const doNode = async (node: SwarmNode): Promise<boolean> => {
    if (!(await nodes.reachable(node))) return true; // a node paasd cannot reach runs nothing of its
    const engine = await nodes.engineOf(node);
    // A stopped engine the manager has not marked down yet: not an error (the node check reports it).
    if (!(await engineAnswers(engine))) return false;
    await options.work(engine, node);
    return true;
  };
  return {
    async visit(known, unreachable) {
      const waits: Promise<void>[] = [];
      for (const node of known.values()) {
        if (node.state !== 'ready' || unreachable.has(node.id)) continue;
        let work = done.get(node.id);
        if (!work) {
          work = doNode(node).then(
            (answered) => {
              if (!answered) done.delete(node.id);
            },
            (error: unknown) => {
              done.delete(node.id); // tried again at the next visit
              logger.warn({ err: error, node: node.hostname || node.id }, `${options.what} failed on a node`);
            },
          );
          done.set(node.id, work);
        }
        waits.push(work);
      }
      await Promise.all(waits);
    },
  };
}
