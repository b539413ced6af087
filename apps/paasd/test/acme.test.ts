import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from 'node:tls';
import { once } from 'node:events';

import type { AcmResource } from '@paas/core';

import { CHALLTESTSRV, PEBBLE, preparePebble } from './pebble.js';
import { startPlatform } from './platform-under-test.js';

const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '10', PAAS_STOP_GRACE: '2' };
/** Short-lived certificates, so that renewal (at two thirds of the lifetime) comes within the test. */
const VALIDITY_SECONDS = 15;

/** Why this cannot run here; with CI set pebble must be there (.ci/run installs it). */
function pebbleMissing(): string | false {
  if (existsSync(PEBBLE) && existsSync(CHALLTESTSRV)) return false;
  if (process.env.CI) throw new Error('CI is set but pebble is not installed');
  return 'pebble is not installed (apt-get install pebble); CI runs this test';
}

/** The certificate chain served for `host` on the HTTPS port, verified against `root` (the CA's root only). */
async function servedChain(port: number, host: string, root: string): Promise<X509Certificate> {
  const socket = connect({ host: '127.0.0.1', port, servername: host, ca: root });
  await once(socket, 'secureConnect');
  const peer = socket.getPeerCertificate(true);
  socket.destroy();
  return new X509Certificate(peer.raw);
}

for (const plane of ['builtin', 'nginx'] as const) {
test(`ACME end to end against pebble (PAAS_ROUTER=${plane}): HTTP-01 through the router, issued, served, renewed, refreshed; a domain that cannot validate fails with its reason`, { timeout: 120_000, skip: pebbleMissing() || (plane === 'nginx' && !existsSync('/usr/sbin/nginx') && !process.env.CI ? 'nginx is not installed; CI runs this test' : false) }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paasd-pebble-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pebble = await preparePebble(t, dir);
  const p = await startPlatform(t, { ...FAST, PAAS_ACME_DIRECTORY: pebble.directory, PAAS_ACME_CA_FILE: pebble.tlsCa.certFile, PAAS_ACME_EMAIL: 'ops@example.test', PAAS_ROUTER: plane });
  await pebble.start(p.routerPort, VALIDITY_SECONDS);
  const acm = async (): Promise<AcmResource> => (await p.h.request({ url: '/apps/shop/acm' })).json<AcmResource>();
  let seen = '';
  const statusOf = async (host: string) => {
    const resource = await acm();
    seen = JSON.stringify(resource);
    return resource.domains.find((d) => d.hostname === host);
  };
  const appLog = async (): Promise<string> => (await p.h.request({ url: '/apps/shop/logs?ps=acm&lines=200' })).body;

  await p.h.send('POST', '/apps', { name: 'shop' });
  await p.h.send('POST', '/apps/shop/domains', { hostname: 'www.shop.test' });
  const enabled = await p.h.send('POST', '/apps/shop/acm');
  assert.equal(enabled.statusCode, 200, enabled.body);
  assert.equal(enabled.json<AcmResource>().acm, true);

  await p.until(() => `a certificate for www.shop.test: ${seen}\n${pebble.output()}`, async () => (await statusOf('www.shop.test'))?.status === 'cert issued', 30_000);
  const root = await pebble.root();
  const first = await servedChain(p.tlsPort, 'www.shop.test', root);
  assert.ok(first.checkHost('www.shop.test'));
  assert.match((await statusOf('www.shop.test'))?.certificate?.issuer ?? '', /Pebble Intermediate/);
  assert.match(await appLog(), /paas\[acm\]: Ordering a certificate for www\.shop\.test from 127\.0\.0\.1:\d+/);
  assert.match(await appLog(), /paas\[acm\]: Certificate issued for www\.shop\.test by Pebble Intermediate CA [0-9a-f]+, valid until /);
  // The account key is kept: a restart would not register again.
  assert.ok(p.h.store.certificates.account(pebble.directory)?.accountUrl);

  // Renewal: at two thirds of this short lifetime the router already serves a new certificate.
  await p.until('a renewed certificate', async () => (await servedChain(p.tlsPort, 'www.shop.test', root)).serialNumber !== first.serialNumber, 30_000);
  assert.match(await appLog(), /paas\[acm\]: Renewing a certificate for www\.shop\.test/);

  // certs:auto:refresh orders again at once.
  const before = (await servedChain(p.tlsPort, 'www.shop.test', root)).serialNumber;
  const refreshed = await p.h.send('PATCH', '/apps/shop/acm', { acm_refresh: true });
  assert.equal(refreshed.statusCode, 200, refreshed.body);
  await p.until('a refreshed certificate', async () => (await servedChain(p.tlsPort, 'www.shop.test', root)).serialNumber !== before, 20_000);

  // A domain whose challenge cannot be answered (it resolves where no router listens): the order
  // made because the domain was added fails, with the CA's reason in the status and the app's log.
  await pebble.pointHost('broken.shop.test', '127.0.0.2');
  await p.h.send('POST', '/apps/shop/domains', { hostname: 'broken.shop.test' });
  await p.until(() => `a failed order: ${seen}`, async () => (await statusOf('broken.shop.test'))?.status === 'failing', 30_000);
  const failing = await statusOf('broken.shop.test');
  assert.match(failing?.status_reason ?? '', /connection refused|127\.0\.0\.2/i);
  assert.ok(Date.parse(failing?.next_attempt_at ?? '') > Date.now(), 'a retry is scheduled later, not at once');
  assert.match(await appLog(), /paas\[acm\]: Certificate order for broken\.shop\.test failed: .+ Next attempt at /);
  // The working domain keeps its certificate.
  assert.equal((await statusOf('www.shop.test'))?.status, 'cert issued');

  // Turning ACM off removes what it issued.
  const disabled = await p.h.send('DELETE', '/apps/shop/acm');
  assert.deepEqual(disabled.json<AcmResource>().domains.map((d) => d.status), ['none', 'none']);
});
}
