import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { SwarmNode } from './swarm-nodes.js';
import { placeOneOff } from './swarm-oneoff-placement.js';

const node = (id: string, extra: Partial<SwarmNode> = {}): SwarmNode => ({ id, hostname: id, address: '10.0.0.1', state: 'ready', labels: {}, role: 'worker', availability: 'active', ...extra });
const m = node('m', { role: 'manager' });
const w2 = node('w2', { labels: { tier: 'batch' } });
const w3 = node('w3');
const all = new Set(['m', 'w2', 'w3']);
const none = new Set<string>();
const placed = (input: Partial<Parameters<typeof placeOneOff>[0]>): string => {
  const result = placeOneOff({ nodes: [m, w2, w3], reachable: all, unreachable: none, tasks: new Map(), constraints: [], ...input });
  return 'node' in result ? result.node.id : result.none;
};

test('a one-off goes to the reachable node with the fewest tasks, a worker before the manager on a tie', () => {
  const cases: [string, Partial<Parameters<typeof placeOneOff>[0]>, string][] = [
    ['all idle: a worker, by id', {}, 'w2'],
    ['fewest tasks wins', { tasks: new Map([['w2', 3], ['w3', 1], ['m', 2]]) }, 'w3'],
    ['the manager when it has fewer', { tasks: new Map([['w2', 1], ['w3', 1]]) }, 'm'],
    ['a tie with the manager goes to the worker', { tasks: new Map([['w2', 1], ['w3', 2], ['m', 1]]) }, 'w2'],
    ['no engine for a node: not there', { reachable: new Set(['m', 'w3']) }, 'w3'],
    ['an engine that stopped answering: not there', { unreachable: new Set(['w2']) }, 'w3'],
    ['down and drained nodes: not there', { nodes: [m, node('w2', { state: 'down' }), node('w3', { availability: 'drain' })] }, 'm'],
    ['pinned by PAAS_PLACEMENT_RUN', { constraints: ['node.labels.tier==batch'], tasks: new Map([['w2', 5]]) }, 'w2'],
  ];
  for (const [what, input, expected] of cases) assert.equal(placed(input), expected, what);
});

test('no node fits: says why', () => {
  assert.match(placed({ constraints: ['node.labels.tier==gpu'] }), /No ready node paasd can reach with node\.labels\.tier==gpu can run the one-off \(3 node\(s\)/);
});
