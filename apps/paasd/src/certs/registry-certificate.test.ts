import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { ensureRegistryTls } from './registry-certificate.js';

test("the slug registry's certificate names its address, comes from the local CA, and is kept until the address changes", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'paas-registry-tls-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await ensureRegistryTls(dataDir, '10.0.0.1:5000');
  const leaf = new X509Certificate(first.certificate);
  assert.equal(leaf.checkIP('10.0.0.1'), '10.0.0.1');
  assert.ok(leaf.verify(new X509Certificate(first.ca).publicKey), 'signed by the local CA');
  assert.match(first.key, /PRIVATE KEY/);
  assert.deepEqual(await ensureRegistryTls(dataDir, '10.0.0.1:5000'), first, 'kept across starts');
  const moved = await ensureRegistryTls(dataDir, 'registry.internal:5000');
  assert.notEqual(moved.certificate, first.certificate);
  assert.equal(new X509Certificate(moved.certificate).checkHost('registry.internal'), 'registry.internal');
  assert.equal(moved.ca, first.ca, 'the same CA');
});
