import { type OneOffsInFlight, sweepOneOffs } from '../docker/docker-oneoff-sweep.js';
import type { DriverLogger } from '../shared/driver-logger.js';
import type { NodeEngines, SwarmNode } from './swarm-nodes.js';

export interface OneOffSweeper {
  /**
   * Sweeps, in the background, every node of `known` not swept yet that paasd reaches: its
   * one-off containers of this installation that no live session owns (a paasd that died
   * while they ran) are removed. Each node once per driver (a paasd start); a node that was
   * down or did not answer is swept when it is next seen answering.
   */
  sweep(known: ReadonlyMap<string, SwarmNode>, unreachable: ReadonlySet<string>): void;
}

export function createOneOffSweeper(options: { nodes: NodeEngines; instance: string; inFlight: OneOffsInFlight; logger: DriverLogger }): OneOffSweeper {
  const { nodes, logger } = options;
  // Swept or being swept, by node id.
  const swept = new Set<string>();
  const sweepNode = async (node: SwarmNode): Promise<void> => {
    if (!(await nodes.reachable(node))) return; // a node paasd cannot reach runs no one-off of its
    const removed = await sweepOneOffs(await nodes.engineOf(node), { instance: options.instance, inFlight: options.inFlight, logger, node: node.hostname || node.id });
    if (removed > 0) logger.info({ node: node.hostname || node.id, removed }, 'leftover one-offs swept');
  };
  return {
    sweep(known, unreachable) {
      for (const node of known.values()) {
        if (swept.has(node.id) || node.state !== 'ready' || unreachable.has(node.id)) continue;
        swept.add(node.id);
        void sweepNode(node).catch((error: unknown) => {
          swept.delete(node.id); // tried again by the next listing
          logger.warn({ err: error, node: node.hostname || node.id }, 'leftover one-offs not swept');
        });
      }
    },
  };
}
