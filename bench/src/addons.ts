/**
 * `addons`: from `addons:create` until the app's first query through it answers.
 * Measured on the node-addons fixture, which answers `{notes, hits}` with numbers once it
 * has queried its database / cache (null while it has none attached). Baseline: a config
 * change's release rolled out to the same app until it serves, i.e. what attaching costs
 * on its own; the difference is the add-on's server being made ready.
 */
import { join } from 'node:path';

import { repeat, type BenchContext, type Benchmark } from './context.js';
import { FIXTURES, deployApp, hostOf } from './deployed-app.js';
import { figure, type Figure } from './figure.js';
import { createGitWorkspace } from './git.js';
import { pollUntil } from './http-probe.js';
import { startPaasd, type Runtime } from './paasd-process.js';

const APP = 'addon-bench';
const SERVICES = [
  { plan: 'postgresql', field: 'notes' },
  { plan: 'redis', field: 'hits' },
] as const;

const fieldOf = (body: string, field: string): unknown => {
  try {
    return (JSON.parse(body) as Record<string, unknown>)[field];
  } catch {
    return undefined; // not the app's JSON (an error page): not served yet
  }
};

async function measure(ctx: BenchContext, runtime: Runtime): Promise<Figure[]> {
  const paasd = await startPaasd({ runtime });
  const git = await createGitWorkspace(paasd.api.token);
  try {
    await deployApp(paasd, git, APP, join(FIXTURES, 'node-addons'));
    const figures: Figure[] = [];
    // Not measured: the first add-on of an installation may build the add-on image (docker).
    const warm = await paasd.api.call<{ id: string }>('POST', `/apps/${APP}/addons`, { plan: 'postgresql' });
    await pollUntil(paasd.routerPort, hostOf(APP), (a) => typeof fieldOf(a.body, 'notes') === 'number', 600_000);
    await paasd.api.call('DELETE', `/addons/${warm.id}`);
    await pollUntil(paasd.routerPort, hostOf(APP), (a) => a.status === 200 && fieldOf(a.body, 'notes') === null, 120_000);
    const baseline = await repeat(ctx.runs, async (run) => {
      const started = performance.now();
      await paasd.api.call('PATCH', `/apps/${APP}/config-vars`, { BENCH_RUN: `${String(run)}-${String(Date.now())}` });
      const release = (await paasd.api.call<{ version: number; current: boolean }[]>('GET', `/apps/${APP}/releases`))[0]?.version;
      for (;;) {
        const current = (await paasd.api.call<{ version: number; current: boolean }[]>('GET', `/apps/${APP}/releases`)).find((r) => r.current)?.version;
        if (current === release) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await pollUntil(paasd.routerPort, hostOf(APP), (a) => a.status === 200, 60_000);
      const ms = performance.now() - started;
      ctx.log(`addons ${runtime} config change run ${String(run + 1)}: ${ms.toFixed(0)} ms`);
      return ms;
    });
    for (const { plan, field } of SERVICES) {
      const runs = await repeat(ctx.runs, async (run) => {
        const started = performance.now();
        const addon = await paasd.api.call<{ id: string }>('POST', `/apps/${APP}/addons`, { plan });
        const answered = await pollUntil(paasd.routerPort, hostOf(APP), (a) => a.status === 200 && typeof fieldOf(a.body, field) === 'number', 180_000);
        const ms = answered - started;
        ctx.log(`addons ${runtime} ${plan} run ${String(run + 1)}: ${ms.toFixed(0)} ms`);
        // Destroyed again, and the release without its URL serving, before the next run.
        await paasd.api.call('DELETE', `/addons/${addon.id}`);
        await pollUntil(paasd.routerPort, hostOf(APP), (a) => a.status === 200 && fieldOf(a.body, field) === null, 120_000);
        return ms;
      });
      figures.push(
        figure({
          benchmark: 'addons',
          name: `addons:create ${plan} → first query`,
          runtime,
          unit: 'ms',
          runs,
          baseline: { name: 'config change → served', runs: baseline },
          note: runtime === 'docker' ? 'after one unmeasured add-on (which builds the add-on image when missing)' : 'after one unmeasured add-on',
        }),
      );
    }
    return figures;
  } finally {
    await git.dispose();
    await paasd.stop();
  }
}

export const addonsBenchmark: Benchmark = {
  name: 'addons',
  description: 'addons:create (postgresql, redis) until the app\'s first query through it answers',
  async run(ctx) {
    const figures: Figure[] = [];
    for (const runtime of ctx.runtimes) figures.push(...(await measure(ctx, runtime)));
    return figures;
  },
};
