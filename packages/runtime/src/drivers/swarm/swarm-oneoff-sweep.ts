import { type OneOffsInFlight, sweepOneOffs } from '../docker/docker-oneoff-sweep.js';
import type { DriverLogger } from '../shared/driver-logger.js';
import type { NodeEngines } from './swarm-nodes.js';
import { type PerNode, perNodeOnce } from './swarm-per-node.js';

/**
 * Every node's one-off containers of this installation that no live session owns (a paasd that
 * died while they ran) are removed, once per node per driver: at the first listing (a paasd
 * start), or when a node that was down is next seen answering.
 */
export function createOneOffSweeper(options: { nodes: NodeEngines; instance: string; inFlight: OneOffsInFlight; logger: DriverLogger }): PerNode {
  const { instance, inFlight, logger } = options;
  return perNodeOnce({
    nodes: options.nodes,
    what: 'sweeping leftover one-offs',
    logger,
    work: async (engine, node) => {
      const removed = await sweepOneOffs(engine, { instance, inFlight, logger, node: node.hostname || node.id });
      if (removed > 0) logger.info({ node: node.hostname || node.id, removed }, 'leftover one-offs swept');
    },
  });
}
