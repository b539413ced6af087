import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { loadPlatformCertificates } from '../src/certs/platform-certificate.js';
import { createLogger } from '../src/logger.js';

test('closing waits for a certificate issue in flight and takes no new one: nothing writes into the data dir afterwards', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paas-cert-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const certificates = await loadPlatformCertificates({ dataDir: dir, domain: 'example.test', tls: undefined }, [], createLogger('silent', new PassThrough()));
  let applied = 0;
  certificates.coverApps(['one'], () => applied++);
  await certificates.close();
  assert.equal(applied, 1, 'the issue in flight finished before close returned');
  certificates.coverApps(['one', 'two'], () => applied++);
  const files = readdirSync(join(dir, 'tls')).sort();
  assert.ok(!files.some((file) => file.endsWith('.tmp')), `no half-written file: ${files.join(' ')}`);
  await sleep(300);
  assert.deepEqual(readdirSync(join(dir, 'tls')).sort(), files);
  assert.equal(applied, 1, 'no issue after close');
});
