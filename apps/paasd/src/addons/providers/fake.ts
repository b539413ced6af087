import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { AddonProvider, AddonServiceName, Operation } from '../provider.js';

interface FakeInstance {
  service: AddonServiceName;
  bindings: Map<string, string>;
  polls: number;
  data: Map<string, string>;
}

/**
 * A provider with no servers behind it, for tests of what uses providers: provisioning
 * takes `pollsToProvision` polls, URLs are made up, and a backup is a file holding the
 * instance's in-memory data as JSON.
 */
export function createFakeProvider(options: { pollsToProvision?: number } = {}): AddonProvider & { readonly instances: ReadonlyMap<string, FakeInstance> } {
  const instances = new Map<string, FakeInstance>();
  const wanted = options.pollsToProvision ?? 1;
  const state = (instance: FakeInstance | undefined): Operation => {
    if (!instance) return { state: 'failed', description: 'no such instance' };
    return instance.polls >= wanted ? { state: 'succeeded', description: 'provisioned' } : { state: 'in progress', description: `starting ${instance.service}` };
  };
  const require = (id: string): FakeInstance => {
    const instance = instances.get(id);
    if (!instance || instance.polls < wanted) throw new Error(`add-on ${id} is not provisioned`);
    return instance;
  };
  return {
    name: 'fake',
    services: ['postgresql', 'redis'],
    instances,
    provision(id, service) {
      const instance = instances.get(id) ?? { service, bindings: new Map(), polls: 0, data: new Map() };
      instances.set(id, instance);
      return state(instance);
    },
    lastOperation(id) {
      const instance = instances.get(id);
      if (instance) instance.polls += 1;
      return state(instance);
    },
    async bind(id, bindingId) {
      const instance = require(id);
      const scheme = instance.service === 'redis' ? 'redis' : 'postgres';
      const url = instance.bindings.get(bindingId) ?? `${scheme}://u${randomBytes(4).toString('hex')}:${randomBytes(32).toString('hex')}@fake.invalid:1/${id}`;
      instance.bindings.set(bindingId, url);
      return { url };
    },
    async unbind(id, bindingId) {
      instances.get(id)?.bindings.delete(bindingId);
    },
    async deprovision(id) {
      instances.delete(id);
    },
    limits: () => ({ memoryMb: null }),
    async info(id) {
      return { Version: 'fake', Bindings: String(require(id).bindings.size) };
    },
    backups: {
      async capture(id, file) {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, JSON.stringify([...require(id).data]));
      },
      async verify(_id, file) {
        const rows = JSON.parse(await readFile(file, 'utf8')) as unknown[];
        return { tables: rows.length > 0 ? 1 : 0, rows: rows.length };
      },
      async restore(id, file) {
        require(id).data = new Map(JSON.parse(await readFile(file, 'utf8')) as [string, string][]);
      },
    },
    async start() {},
    async close() {},
    async stopAll() {
      instances.clear();
    },
  };
}
