import type { SwarmNode } from './swarm-nodes.js';

export interface OneOffPlacementInput {
  readonly nodes: readonly SwarmNode[];
  /** Nodes paasd has an engine for: a one-off is attached through its node's engine. */
  readonly reachable: ReadonlySet<string>;
  /** Nodes whose engine stopped answering (before the manager marks them down). */
  readonly unreachable: ReadonlySet<string>;
  /** How many of this installation's tasks each node runs now, by node id. */
  readonly tasks: ReadonlyMap<string, number>;
  /** `node.labels.<label>==<value>` constraints, from `PAAS_PLACEMENT_RUN`. */
  readonly constraints: readonly string[];
}

export type OneOffPlacement = { readonly node: SwarmNode } | { readonly none: string };

const LABEL_CONSTRAINT = /^node\.labels\.([^=]+)==(.*)$/;

function satisfies(node: SwarmNode, constraints: readonly string[]): boolean {
  return constraints.every((constraint) => {
    const match = LABEL_CONSTRAINT.exec(constraint);
    return match !== null && node.labels[match[1] ?? ''] === match[2];
  });
}

/**
 * Where a one-off runs, as Swarm's scheduler would place a task: among the ready, active
 * nodes paasd can reach that carry the labels asked for, the one running the fewest of the
 * installation's tasks. On a tie a worker goes before a manager: the manager already
 * carries paasd, the builds and the registry. Then by id, so the choice is stable.
 */
export function placeOneOff(input: OneOffPlacementInput): OneOffPlacement {
  const candidates = input.nodes.filter(
    (node) => node.state === 'ready' && node.availability === 'active' && input.reachable.has(node.id) && !input.unreachable.has(node.id) && satisfies(node, input.constraints),
  );
  const rank = (node: SwarmNode): [number, number, string] => [input.tasks.get(node.id) ?? 0, node.role === 'manager' ? 1 : 0, node.id];
  const [best] = candidates.sort((a, b) => {
    const [ta, ra, ia] = rank(a);
    const [tb, rb, ib] = rank(b);
    return ta - tb || ra - rb || ia.localeCompare(ib);
  });
  if (best) return { node: best };
  const labels = input.constraints.length > 0 ? ` with ${input.constraints.join(', ')}` : '';
  return { none: `No ready node paasd can reach${labels} can run the one-off (${String(input.nodes.length)} node(s) in the swarm).` };
}
