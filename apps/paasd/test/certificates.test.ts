import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import type { AcmResource, SniEndpointResource } from '@paas/core';

import { httpsGet } from './https-client.js';
import { startPlatform } from './platform-under-test.js';
import { createTestCa } from './test-pki.js';

const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '10', PAAS_STOP_GRACE: '2' };
const run = promisify(execFile);

/** nginx is needed for the nginx plane; with CI set it must be there (.ci/run installs it). */
function planeMissing(plane: 'builtin' | 'nginx'): string | false {
  if (plane === 'builtin' || existsSync('/usr/sbin/nginx')) return false;
  if (process.env.CI) throw new Error('CI is set but nginx is not installed');
  return 'nginx is not installed (apt-get install nginx-light); CI runs this test';
}

for (const plane of ['builtin', 'nginx'] as const) {
test(`HTTPS end to end (PAAS_ROUTER=${plane}): the platform certificate, certs:add with its checks, SNI, a certificate replaced under load, redirect to HTTPS`, { timeout: 180_000, skip: planeMissing(plane) }, async (t) => {
  const ca = createTestCa();
  t.after(() => ca.remove());
  const p = await startPlatform(t, { ...FAST, PAAS_ROUTER: plane });
  const pushed = await p.pushFixture('shop', 'py-web', 'procfile');
  assert.equal(pushed.code, 0, pushed.out);
  await p.until('the app answers', async () => (await p.get('shop')).status === 200);

  // The platform certificate: from a local CA made on first start (said so), naming each app's host.
  assert.match(p.h.logs(), /made a local CA for HTTPS/);
  const localCa = readFileSync(join(p.h.dataDir, 'tls', 'ca.crt'), 'utf8');
  // nginx applies a change by a reload just after the API answers; the builtin router at once.
  const served = async (host: string, ca: string, check: (answer: Awaited<ReturnType<typeof httpsGet>>) => boolean) => {
    let last: Awaited<ReturnType<typeof httpsGet>> | undefined;
    await p.until(() => `HTTPS for ${host}: ${JSON.stringify(last)}`, async () => {
      last = await httpsGet(p.tlsPort, host, ca).catch(() => undefined);
      return last !== undefined && check(last);
    }, 5_000);
    return last as Awaited<ReturnType<typeof httpsGet>>;
  };
  const viaPlatform = await served('shop.example.test', localCa, (answer) => answer.status === 200);
  assert.match(viaPlatform.issuer, /paas local CA for example\.test/);
  assert.ok(new X509Certificate(readFileSync(join(p.h.dataDir, 'tls', 'platform.crt'), 'utf8')).checkHost('shop.example.test'));

  // certs:add refuses what cannot serve, each with its reason.
  assert.equal((await p.h.send('POST', '/apps/shop/domains', { hostname: 'www.shop.test' })).statusCode, 201);
  const good = ca.issue(['www.shop.test']);
  const other = ca.issue(['www.other.test']);
  const expired = ca.issue(['www.shop.test'], { start: '2020-01-01T00:00:00Z', end: '2020-02-01T00:00:00Z' });
  const add = (chain: string, key: string) => p.h.send('POST', '/apps/shop/sni-endpoints', { certificate_chain: chain, private_key: key });
  const refusals: [string, Awaited<ReturnType<typeof add>>][] = [
    ['key does not match', await add(good.cert + ca.cert, other.key)],
    ['chain is incomplete', await add(good.cert, good.key)],
    ['expired on 2020-02-01', await add(expired.cert + ca.cert, expired.key)],
    ['none of the app\'s domains \\(www.shop.test\\)', await add(other.cert + ca.cert, other.key)],
    ['No certificate found', await add('hello', good.key)],
  ];
  for (const [reason, response] of refusals) {
    assert.equal(response.statusCode, 422, response.body);
    assert.equal(response.json<{ id: string }>().id, 'invalid_params');
    assert.match(response.json<{ message: string }>().message, new RegExp(reason));
  }
  const added = await add(good.cert + ca.cert, good.key);
  assert.equal(added.statusCode, 201, added.body);
  const endpoint = added.json<SniEndpointResource>();
  assert.deepEqual(endpoint.domains, ['www.shop.test']);
  assert.equal(endpoint.ssl_cert.issuer, 'paas test CA');
  assert.equal(endpoint.source, 'uploaded');
  const status = (await p.h.request({ url: '/apps/shop/acm' })).json<AcmResource>();
  assert.deepEqual(status.domains.map((d) => [d.hostname, d.status, d.certificate?.issuer]), [['www.shop.test', 'uploaded', 'paas test CA']]);

  // Served by SNI to node's client and to curl, both verifying against the CA.
  const viaCustom = await served('www.shop.test', ca.cert, (answer) => answer.status === 200);
  assert.equal(viaCustom.issuer, 'paas test CA');
  // nginx's workers of the previous generation may take one more connection while a reload
  // settles, so curl, too, is given the same few seconds as the check above.
  let curlOut = '';
  await p.until(() => `curl to verify www.shop.test against the test CA: ${curlOut}`, async () => {
    const curl = await run('curl', ['-sS', '--cacert', ca.certFile, '--resolve', `www.shop.test:${String(p.tlsPort)}:127.0.0.1`, `https://www.shop.test:${String(p.tlsPort)}/`])
      .catch((error: Error & { stderr?: string }) => ({ stdout: '', stderr: error.stderr ?? String(error) }));
    curlOut = curl.stdout || curl.stderr;
    return curl.stdout !== '';
  }, 5_000);
  assert.equal((JSON.parse(curlOut) as { dyno: string }).dyno, 'web.1');

  // A new certificate replaces the old under a steady HTTPS request loop: nothing fails.
  let running = true;
  let ok = 0;
  const failed: string[] = [];
  const loop = (async () => {
    while (running) {
      try {
        const answer = await httpsGet(p.tlsPort, 'www.shop.test', ca.cert);
        if (answer.status === 200) ok += 1;
        else failed.push(String(answer.status));
      } catch (error) {
        failed.push(String(error));
      }
    }
  })();
  const renewed = ca.issue(['www.shop.test', 'shop.test']);
  assert.equal((await add(renewed.cert + ca.cert, renewed.key)).statusCode, 201);
  await p.until('the new certificate to be served', async () => (await httpsGet(p.tlsPort, 'www.shop.test', ca.cert)).serial === new X509Certificate(renewed.cert).serialNumber, 5_000);
  assert.equal((await p.h.send('DELETE', `/apps/shop/sni-endpoints/${endpoint.id}`)).statusCode, 200);
  await new Promise((resolve) => setTimeout(resolve, 500));
  running = false;
  await loop;
  assert.deepEqual(failed, []);
  assert.ok(ok > 10, `only ${String(ok)} requests`);

  // Redirects to HTTPS when asked; the TLS listener keeps answering.
  const patched = await p.h.send('PATCH', '/apps/shop', { redirect_https: true });
  assert.equal(patched.json<{ redirect_https: boolean }>().redirect_https, true);
  await p.until('the redirect to be applied', async () => (await p.get('shop')).status === 308, 5_000);
  const plain = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', '-H', 'Host: www.shop.test', `http://127.0.0.1:${String(p.routerPort)}/cart?x=1`]);
  assert.equal(plain.stdout, '308 https://www.shop.test:8443/cart?x=1');
  assert.equal((await httpsGet(p.tlsPort, 'www.shop.test', ca.cert)).status, 200);
  const appLog = (await p.h.request({ url: '/apps/shop/logs?ps=api&lines=50' })).body;
  assert.match(appLog, /paas\[api\]: Added a certificate for www\.shop\.test by admin/);
  assert.match(appLog, /paas\[api\]: HTTP requests redirected to HTTPS by admin/);
});
}
