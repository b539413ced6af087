import { join } from 'node:path';

import type { GitWorkspace } from './git.js';
import { push } from './git.js';
import { pollUntil } from './http-probe.js';
import { REPO_ROOT, type RunningPaasd } from './paasd-process.js';

export const FIXTURES = join(REPO_ROOT, 'fixtures');
export const BENCH_FIXTURES = join(REPO_ROOT, 'bench', 'fixtures');

export const hostOf = (app: string): string => `${app}.localhost`;

/** Creates `name`, pushes `fixtureDir` to it and waits until the router answers 200 from it. */
export async function deployApp(paasd: RunningPaasd, git: GitWorkspace, name: string, fixtureDir: string, waitForWeb = true): Promise<string> {
  await paasd.api.call('POST', '/apps', { name });
  const dir = await git.repo(name, fixtureDir);
  await push(git, dir, gitUrl(paasd, name));
  if (waitForWeb) await pollUntil(paasd.routerPort, hostOf(name), (a) => a.status === 200, 120_000);
  return dir;
}

export const gitUrl = (paasd: RunningPaasd, name: string): string => `${paasd.api.url}/${name}.git`;

interface Dyno {
  readonly name: string;
  readonly type: string;
  readonly state: string;
}

/** Sets the quantity of `type` and waits until exactly that many of its processes are up. */
export async function scale(paasd: RunningPaasd, app: string, type: string, quantity: number, timeoutMs = 120_000): Promise<void> {
  await paasd.api.call('PATCH', `/apps/${app}/formation`, { updates: [{ type, quantity }] });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dynos = await paasd.api.call<Dyno[]>('GET', `/apps/${app}/dynos`);
    const ofType = dynos.filter((d) => d.type === type);
    if (ofType.length === quantity && ofType.every((d) => d.state === 'up')) return;
    if (Date.now() > deadline) throw new Error(`${app}: ${type} did not reach ${String(quantity)} processes up (now ${JSON.stringify(ofType)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
