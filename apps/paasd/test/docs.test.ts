import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { ERROR_STATUS } from '@paas/core';

import { loadConfig } from '../src/config.js';

const docs = join(import.meta.dirname, '..', '..', '..', '..', 'docs');

test('docs/api.md lists exactly the registry of error ids, with their statuses', () => {
  const text = readFileSync(join(docs, 'api.md'), 'utf8');
  const rows = [...text.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
  assert.deepEqual(Object.fromEntries(rows), ERROR_STATUS);
});

test('docs/config.md documents every variable paasd reads', () => {
  const text = readFileSync(join(docs, 'config.md'), 'utf8');
  const documented = [...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
  // Every documented variable changes the loaded config: proof that it is read.
  const base = loadConfig({}, '/');
  const samples: Record<string, string> = {
    PORT: '1', HOST: '127.0.0.1', PAAS_ROUTER_PORT: '2', PAAS_RENDEZVOUS_PORT: '3', PAAS_DOMAIN: 'apps.example.com', PAAS_DATA_DIR: '/x',
    PAAS_API_TOKEN: 'a'.repeat(20), PAAS_RUNTIME: 'local', DOCKER_HOST: 'unix:///x.sock', PAAS_STACK_IMAGE: 'stack:1', LOG_LEVEL: 'warn', PAAS_BOOT_TIMEOUT: '5', PAAS_STOP_GRACE: '2',
    PAAS_KEEP_RELEASES: '5', PAAS_GC_INTERVAL: '60', PAAS_METRICS_SAMPLE_INTERVAL: '2',
    PAAS_BUILD_TIMEOUT: '10m', PAAS_ALLOW_PRIVATE_TARGETS: '1',
    PAAS_ROUTER_TLS_PORT: '3', PAAS_ROUTER: 'nginx', PAAS_ROUTER_THREAD: '0', PAAS_TLS_CERT_FILE: '/c.pem', PAAS_TLS_KEY_FILE: '/k.pem',
    PAAS_ACME_DIRECTORY: 'https://127.0.0.1:14000/dir', PAAS_ACME_EMAIL: 'ops@example.com', PAAS_ACME_CA_FILE: '/ca.crt',
    PAAS_ADMIN_EMAIL: 'ops@example.com', PAAS_API_TLS_PORT: '5443', PAAS_API_HTTP_HOST: '10.0.0.1',
    PAAS_ADDON_POSTGRESQL_MEMORY: '1024', PAAS_ADDON_REDIS_MEMORY: '128', PAAS_ADDON_POSTGRESQL_ROOT: '/opt/postgresql',
    PAAS_SWARM_REGISTRY: '10.0.0.1:5000', PAAS_SWARM_REACH: 'overlay', PAAS_SWARM_NODE_ENGINES: 'w2=unix:///run/paas/w2.sock',
  };
  // Variables only valid together: each is checked against its partner set alone with another value.
  const partners: Record<string, [string, string]> = { PAAS_TLS_CERT_FILE: ['PAAS_TLS_KEY_FILE', '/k.pem'], PAAS_TLS_KEY_FILE: ['PAAS_TLS_CERT_FILE', '/c.pem'] };
  assert.deepEqual(documented, Object.keys(samples).sort());
  for (const [name, value] of Object.entries(samples)) {
    const partner = partners[name];
    if (partner === undefined) {
      assert.notDeepEqual(loadConfig({ [name]: value }, '/'), base, `${name} is documented but not read`);
    } else {
      const [other, otherValue] = partner;
      assert.notDeepEqual(loadConfig({ [name]: value, [other]: otherValue }, '/'), loadConfig({ [name]: '/elsewhere.pem', [other]: otherValue }, '/'), `${name} is documented but not read`);
    }
  }
});
