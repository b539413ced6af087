/**
 * Every fixture app shape pushed with the real git client to one paasd on the Docker
 * runtime, so each is built in the container build environment (the stack image, its
 * python3, make and g++) and run in a container, then asked through the router. Lean
 * for CI time: one platform, pushes in sequence, one check per shape.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dockerUnavailable } from './harness.js';
import { startPlatform } from './platform-under-test.js';

/** fixture → what its answer through the router must hold. */
const SHAPES: readonly (readonly [fixture: string, answer: RegExp])[] = [
  ['node-native', /"sqlite":"3\.\d+/],
  ['npm-workspaces', /hello from a workspace/],
  ['yarn-classic', /"app":"yarn-classic"/],
  ['yarn-berry', /"app":"yarn-berry"/],
  ['yarn-pnp', /"app":"yarn-pnp".*"pnp":true/],
  ['pnpm-web', /"app":"pnpm-web"/],
  ['ts-postbuild', /compiled from TypeScript/],
  ['node-no-lockfile', /"app":"node-no-lockfile"/],
  ['procfile-only', /./],
  ['static', /<html/i],
  ['python-web', /hello from a wheel/],
  ['go-web', /hello from a vendored module/],
];

test('git push of every app shape builds in the container environment and answers through the router (Docker runtime)', { timeout: 30 * 60_000 }, async (t) => {
  const reason = await dockerUnavailable();
  if (reason) return t.skip(reason);
  const p = await startPlatform(t, { PAAS_RUNTIME: 'docker', PAAS_BOOT_TIMEOUT: '120', PAAS_STOP_GRACE: '2' });
  const began = Date.now();
  for (const [fixture, answer] of SHAPES) {
    const started = Date.now();
    const pushed = await p.pushFixture(fixture, fixture);
    if (pushed.code !== 0) {
      const logs = (await p.h.request({ url: `/apps/${fixture}/logs?lines=40` })).body;
      assert.fail(`${fixture}: the push failed\n${pushed.out}\napp log:\n${logs}`);
    }
    let last = { status: 0, body: '' };
    await p.until(
      () => `${fixture} to answer through the router (last: ${String(last.status)} ${last.body.slice(0, 300)})`,
      async () => {
        last = await p.get(fixture).catch((error: unknown) => ({ status: 0, body: String(error) }));
        return last.status === 200 && answer.test(last.body);
      },
      60_000,
    );
    t.diagnostic(`${fixture}: pushed and answering in ${String(Date.now() - started)} ms`);
    // One app running at a time: the next build gets the machine's cores.
    await p.h.send('DELETE', `/apps/${fixture}`);
  }
  const refused = await p.pushFixture('unsupported', 'unsupported');
  assert.match(refused.out, /No buildpack recognized this app/, refused.out);
  t.diagnostic(`all shapes: ${String(Date.now() - began)} ms`);
});
