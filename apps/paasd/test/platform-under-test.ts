import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { GitClient } from './git-client.js';
import { gitClient } from './git-client.js';
import type { Harness } from './harness.js';
import { TOKEN, dockerUnavailable, startHarness } from './harness.js';
import { httpGet } from './http-get.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures');

export interface PlatformUnderTest {
  readonly h: Harness;
  readonly git: GitClient;
  readonly api: string;
  readonly routerPort: number;
  /** The router's HTTPS port. */
  readonly tlsPort: number;
  /** Creates an app, pushes a fixture to it, and returns the push output. */
  pushFixture(app: string, fixture: string, buildpack?: string): Promise<{ code: number; out: string; repo: string }>;
  /** GET through the router with `Host: <app>.example.test`. */
  get(app: string, path?: string): Promise<{ status: number; body: string }>;
  /** Polls until `check` passes or `timeoutMs` runs out (then fails with `what`). */
  until(what: string | (() => string), check: () => Promise<boolean> | boolean, timeoutMs?: number): Promise<void>;
}

/**
 * A port free now, from below Linux's ephemeral range (32768+): a port the kernel handed out for
 * `listen(0)` and that was closed again is the next one it may give another test's listener,
 * which would then hold it when the router (or nginx, which cannot be given 0) binds it.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const probe = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  }
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return address.port;
}

/** A whole platform — API, git endpoint, router, process manager — on free ports. */
export async function startPlatform(t: TestContext, env: Record<string, string>): Promise<PlatformUnderTest> {
  // Loopback only, as before: a test's router must not be reachable from other addresses.
  const h = await startHarness(t, { HOST: '127.0.0.1', ...env });
  const apiPort = await listen(h.app.server);
  // Free ports (nginx cannot be given 0); the configured ones still name the apps' URLs.
  const { port: routerPort, tlsPort } = await h.platform.router.listen({ port: await freePort(), tlsPort: await freePort() });
  const api = `http://127.0.0.1:${String(apiPort)}`;
  const git = gitClient(t, TOKEN);
  const get = (app: string, path = '/'): Promise<{ status: number; body: string }> => httpGet(routerPort, path, `${app}.example.test`);
  return {
    h,
    git,
    api,
    routerPort,
    tlsPort,
    get,
    async pushFixture(app, fixture, buildpack) {
      await h.send('POST', '/apps', { name: app });
      if (buildpack) await h.request({ method: 'PUT', url: `/apps/${app}/buildpack-installations`, payload: { updates: [{ buildpack }] } });
      const repo = await git.repo(app, { dir: join(FIXTURES, fixture) }, `${api}/${app}.git`);
      return { ...(await git.run(repo, ['push', 'paas', 'main'])), repo };
    },
    async until(what, check, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await check()) return;
        await sleep(100);
      }
      assert.fail(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    },
  };
}

/** The greeting of a py-web JSON answer; an error page (HTML) is reported with its title. */
export function greetingOf(answer: { status: number; body: string }): string | null {
  if (answer.status !== 200) throw new Error(`answered ${String(answer.status)}: ${/<title>([^<]*)<\/title>/.exec(answer.body)?.[1] ?? answer.body.slice(0, 200)}`);
  return (JSON.parse(answer.body) as { greeting: string | null }).greeting;
}

/** Requests in a loop until stopped; counts failures and what answered. */
export function steadyLoad(p: Pick<PlatformUnderTest, 'get'>, app: string, t: TestContext): { stop(minimum?: number): Promise<{ ok: number; failed: string[]; bodies: Set<string> }> } {
  let running = true;
  const failed: string[] = [];
  const bodies = new Set<string>();
  let ok = 0;
  const loop = (async () => {
    while (running) {
      try {
        const response = await p.get(app);
        if (response.status === 200) {
          ok += 1;
          bodies.add(response.body);
        } else failed.push(`${String(response.status)} ${/<title>([^<]*)<\/title>/.exec(response.body)?.[1] ?? response.body.slice(0, 200)}`);
      } catch (error) {
        failed.push(String(error));
        // A refused connection fails at once: no spinning while the test goes on.
        await sleep(10);
      }
    }
  })();
  // A test that fails midway must not leave the loop running after the platform is gone.
  t.after(async () => {
    running = false;
    await loop;
  });
  return {
    /**
     * Ends the loop once at least `minimum` requests have been made (within 10 s): a change that
     * goes live quickly must not leave too few requests to show none failed across it.
     */
    async stop(minimum = 0) {
      const deadline = Date.now() + 10_000;
      while (ok + failed.length < minimum && Date.now() < deadline) await sleep(20);
      running = false;
      await loop;
      return { ok, failed, bodies };
    },
  };
}

export type TestRuntime = 'local' | 'docker';

/**
 * The environment for a whole-platform test on a runtime, or the reason it cannot run here
 * (no Docker engine, outside CI; with CI set, a missing engine fails the test).
 */
export async function runtimeUnderTest(runtime: TestRuntime): Promise<{ env: Record<string, string>; skip?: string }> {
  const env = { PAAS_RUNTIME: runtime, PAAS_BOOT_TIMEOUT: runtime === 'docker' ? '60' : '5', PAAS_STOP_GRACE: '2' };
  if (runtime === 'local') return { env };
  const skip = await dockerUnavailable();
  return skip === undefined ? { env } : { env, skip };
}
