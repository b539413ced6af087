import type Docker from 'dockerode';

import type { OneOffSpec } from '../../driver.js';
import type { NodeEngines, SwarmNode } from './swarm-nodes.js';
import { placeOneOff } from './swarm-oneoff-placement.js';
import { engineAnswers } from './swarm-per-node.js';
import { placementOf } from './swarm-service.js';
import { serviceTasks } from './swarm-tasks.js';

/**
 * The node a one-off runs on (the I/O around `placeOneOff`): the swarm's nodes, the
 * installation's running tasks per node, which engines paasd reaches, and the labels
 * `PAAS_PLACEMENT_RUN` asks for. Throws with the reason when no node fits.
 */
export async function oneOffNode(manager: Docker, nodes: NodeEngines, ownLabels: readonly string[], spec: OneOffSpec): Promise<SwarmNode> {
  const services = await manager.listServices({ filters: { label: [...ownLabels] } });
  const [known, tasks, unreachable] = await Promise.all([nodes.nodes(), serviceTasks(manager, services.map((service) => service.ID)), nodes.unreachable()]);
  const perNode = new Map<string, number>();
  for (const task of tasks.values()) if (task.state === 'running') perNode.set(task.node, (perNode.get(task.node) ?? 0) + 1);
  const reachable = new Set<string>();
  for (const node of known.values()) if (await nodes.reachable(node)) reachable.add(node.id);
  const avoid = new Set(unreachable);
  for (;;) {
    const placed = placeOneOff({ nodes: [...known.values()], reachable, unreachable: avoid, tasks: perNode, constraints: placementOf({ type: 'run', env: spec.env }) });
    if ('none' in placed) throw new Error(placed.none);
    // The node check pings only engines already in use: a paasd just started does not know yet
    // that a node the manager still lists as ready has stopped. Its engine is asked before the one-off goes there.
    if (await engineAnswers(await nodes.engineOf(placed.node))) return placed.node;
    avoid.add(placed.node.id);
  }
}
