/**
 * The whole platform with PAAS_ROUTER=nginx: deploys go live through nginx reloads with no
 * failed request (old processes are drained before SIGTERM), and nginx's access lines come
 * back into the app's log stream. (The router contract suite covers routing, pages, TLS,
 * ACME answers and websockets against nginx; certificates.test.ts covers HTTPS on both.)
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { greetingOf, startPlatform, steadyLoad } from './platform-under-test.js';

const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '10', PAAS_STOP_GRACE: '2', PAAS_ROUTER: 'nginx' };
function nginxMissing(): string | false {
  if (existsSync('/usr/sbin/nginx')) return false;
  if (process.env.CI) throw new Error('CI is set but nginx is not installed');
  return 'nginx is not installed (apt-get install nginx-light); CI runs this test';
}

test('PAAS_ROUTER=nginx: config:set and scaling go live with no failed request; access lines reach the app\'s log', { timeout: 180_000, skip: nginxMissing() }, async (t) => {
  const p = await startPlatform(t, FAST);
  const pushed = await p.pushFixture('web', 'py-web', 'procfile');
  assert.equal(pushed.code, 0, pushed.out);
  await p.until('the app to answer through nginx', async () => (await p.get('web')).status === 200, 10_000);

  const load = steadyLoad(p, 'web', t);
  await p.h.send('PATCH', '/apps/web/formation', { updates: [{ type: 'web', quantity: 2 }] });
  await p.h.send('PATCH', '/apps/web/config-vars', { GREETING: 'hello' });
  await p.until('the new release to serve', async () => greetingOf(await p.get('web')) === 'hello', 30_000);
  await p.h.send('PATCH', '/apps/web/config-vars', { GREETING: 'again' });
  await p.until('the next release to serve', async () => greetingOf(await p.get('web')) === 'again', 30_000);
  const { ok, failed } = await load.stop(21);
  assert.deepEqual(failed, [], `${String(failed.length)} failed requests during deploys through nginx`);
  assert.ok(ok > 20, `only ${String(ok)} requests were made`);

  const log = (await p.h.request({ url: '/apps/web/logs?ps=router&lines=20' })).body;
  assert.match(log, /paas\[router\]: at=info method=GET path="\/" host=web\.example\.test request_id=[0-9a-f]{32} fwd="127\.0\.0\.1" dyno=web\.\d connect=\d+ms service=\d+ms status=200 bytes=\d+/);
  // The metrics count what nginx answered, as they count the builtin router's answers.
  let counted = 0;
  await p.until(() => `the metrics to count the ${String(ok)} requests made (counted ${String(counted)})`, async () => {
    const body = (await p.h.request({ url: '/apps/web/metrics?since=30m&step=60m' })).json<{ points: { requests: number }[] }>();
    counted = body.points.reduce((sum, point) => sum + point.requests, 0);
    return counted >= ok;
  }, 10_000);
  await p.h.send('DELETE', '/apps/web');
});
