import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ProcessSpec } from '../../driver.js';
import { placementOf, placementVar, serviceSpec } from './swarm-service.js';

const spec: ProcessSpec = {
  app: 'demo',
  release: 4,
  type: 'worker',
  index: 1,
  slug: { path: '/nonexistent.tgz', checksum: 'a'.repeat(64) },
  command: 'exec sleep 60',
  env: {},
  memoryMb: 512,
};

test('a process type is pinned by its PAAS_PLACEMENT_<TYPE> config var, one constraint per label', () => {
  assert.equal(placementVar('worker'), 'PAAS_PLACEMENT_WORKER');
  assert.equal(placementVar('web-api'), 'PAAS_PLACEMENT_WEB_API');
  assert.deepEqual(placementOf(spec), []);
  assert.deepEqual(placementOf({ ...spec, env: { PAAS_PLACEMENT_WORKER: 'tier=batch, zone=a' } }), ['node.labels.tier==batch', 'node.labels.zone==a']);
  assert.deepEqual(placementOf({ ...spec, env: { PAAS_PLACEMENT_WEB: 'tier=front' } }), [], "another type's pin is not this one's");
  for (const bad of ['tier', 'tier==batch', 'tier=batch;rm', 'tier=$(x)']) {
    assert.throws(() => placementOf({ ...spec, env: { PAAS_PLACEMENT_WORKER: bad } }), /PAAS_PLACEMENT_WORKER must be label=value pairs/, bad);
  }
});

test('on several nodes a process is published on its node in host mode, never through the routing mesh', () => {
  const options = { image: 'x', network: 'n', port: 5000, env: [], labels: {}, pidsLimit: 512, graceMs: 1000, constraints: ['node.labels.tier==batch'] };
  const published = serviceSpec(spec, { ...options, publishOnNode: true });
  assert.deepEqual(published.EndpointSpec, { Ports: [{ Protocol: 'tcp', TargetPort: 5000, PublishMode: 'host' }] });
  assert.deepEqual(published.TaskTemplate?.Placement, { Constraints: ['node.labels.tier==batch'] });
  const local = serviceSpec(spec, { ...options, publishOnNode: false, constraints: [] });
  assert.equal(local.EndpointSpec, undefined);
  assert.equal(local.TaskTemplate?.Placement, undefined);
});
