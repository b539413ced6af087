/**
 * The builtin router in paasd's main thread (PAAS_ROUTER_THREAD=0), the way it ran before it
 * had a thread of its own: deploys go live with no failed request and access lines reach the
 * app's log. Every other platform test runs the default, the router's own thread.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { greetingOf, startPlatform, steadyLoad } from './platform-under-test.js';

const FAST = { PAAS_RUNTIME: 'local', PAAS_BOOT_TIMEOUT: '10', PAAS_STOP_GRACE: '2', PAAS_ROUTER_THREAD: '0' };

test('PAAS_ROUTER_THREAD=0: config:set and scaling go live with no failed request; access lines reach the app\'s log', { timeout: 180_000 }, async (t) => {
  const p = await startPlatform(t, FAST);
  const pushed = await p.pushFixture('web', 'py-web', 'procfile');
  assert.equal(pushed.code, 0, pushed.out);
  await p.until('the app to answer', async () => (await p.get('web')).status === 200, 10_000);

  const load = steadyLoad(p, 'web', t);
  await p.h.send('PATCH', '/apps/web/formation', { updates: [{ type: 'web', quantity: 2 }] });
  await p.h.send('PATCH', '/apps/web/config-vars', { GREETING: 'hello' });
  await p.until('the new release to serve', async () => greetingOf(await p.get('web')) === 'hello', 30_000);
  const { ok, failed } = await load.stop(21);
  assert.deepEqual(failed, [], `${String(failed.length)} failed requests during deploys`);
  assert.ok(ok > 20, `only ${String(ok)} requests were made`);

  const log = (await p.h.request({ url: '/apps/web/logs?ps=router&lines=20' })).body;
  assert.match(log, /paas\[router\]: at=info method=GET path="\/" host=web\.example\.test request_id=[0-9a-f-]{36} fwd="127\.0\.0\.1" dyno=web\.\d connect=\d+ms service=\d+ms status=200 bytes=\d+/);
  await p.h.send('DELETE', '/apps/web');
});
