/**
 * 3. scale web 1 → 10: until all 10 answer through the router.
 * Baseline: the same 9 processes (local), containers (docker) or one-replica services
 * (swarm) started directly.
 */
import { join } from 'node:path';

import { repeat, type BenchContext, type Benchmark } from './context.js';
import { FIXTURES, deployApp, hostOf, scale } from './deployed-app.js';
import { type Started, containerTemplate, installedCopy, runtimeNode, startContainers, startLocal } from './direct-start.js';
import { serviceTemplate, startServices } from './direct-services.js';
import { figure, type Figure } from './figure.js';
import { createGitWorkspace } from './git.js';
import { get } from './http-probe.js';
import { startPaasd, type Runtime } from './paasd-process.js';

const NODE_WEB = join(FIXTURES, 'node-web');
const APP = 'scaling';
const TARGET = 10;
/**
 * Each run starts from a steady app, as each baseline run starts with nothing running (it
 * waits for its processes to exit): the last run's nine stopped processes exiting and
 * their app dirs unmounted, and paasd's spare (made 0.5 s after the last start or stop).
 * Without it a run overlapped the previous scale-down's work: 692–1,069 ms, against
 * 658–771 ms with it (`/apps/{app}/dynos` lists the app's processes as they leave, not as
 * their cleanup ends).
 */
const SETTLE_MS = 1_500;

/** Asks through the router back to back until `count` different dynos have answered. */
async function untilDynosAnswer(port: number, count: number, timeoutMs: number): Promise<number> {
  const seen = new Set<string>();
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const answer = await get(port, hostOf(APP), '/', undefined, 2_000);
      const dyno = answer.status === 200 ? (JSON.parse(answer.body) as { dyno?: string }).dyno : undefined;
      if (dyno !== undefined) seen.add(dyno);
      if (seen.size >= count) return performance.now();
    } catch {
      // Not answering now: ask again.
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`only ${String(seen.size)} of ${String(count)} dynos answered within ${String(timeoutMs)} ms`);
}

const BASELINE_NAMES: Readonly<Record<Runtime, string>> = { local: 'direct start ×9', docker: 'docker run ×9', swarm: 'docker service create ×9' };

/** Starts the baseline's processes the way the runtime would, without the platform (read from the app's running web process). */
async function baselineStarter(runtime: Runtime, installedDir: string, dataDir: string): Promise<(count: number) => Promise<Started>> {
  if (runtime === 'docker') {
    const template = await containerTemplate(APP);
    return (count) => startContainers(template, count);
  }
  if (runtime === 'swarm') {
    const template = await serviceTemplate(APP);
    return (count) => startServices(template, count);
  }
  const node = await runtimeNode(dataDir);
  return (count) => startLocal(installedDir, count, [node, 'server.js']);
}

async function measure(ctx: BenchContext, runtime: Runtime, installedDir: string): Promise<Figure> {
  const paasd = await startPaasd({ runtime });
  const git = await createGitWorkspace(paasd.api.token);
  try {
    await deployApp(paasd, git, APP, NODE_WEB);
    const runs = await repeat(ctx.runs, async (run) => {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const started = performance.now();
      await paasd.api.call('PATCH', `/apps/${APP}/formation`, { updates: [{ type: 'web', quantity: TARGET }] });
      const ms = (await untilDynosAnswer(paasd.routerPort, TARGET, 120_000)) - started;
      ctx.log(`scale ${runtime} run ${String(run + 1)}: ${ms.toFixed(0)} ms`);
      await scale(paasd, APP, 'web', 1);
      return ms;
    });
    const startBaseline = await baselineStarter(runtime, installedDir, paasd.dataDir);
    const baseline = await repeat(ctx.runs, async () => {
      const started = await startBaseline(TARGET - 1);
      await started.stop();
      return started.elapsedMs;
    });
    return figure({
      benchmark: 'scale',
      name: 'web 1 → 10, all answer',
      runtime,
      unit: 'ms',
      runs,
      baseline: { name: BASELINE_NAMES[runtime], runs: baseline },
      bar: (value, base) => ({ text: '≤ 1.5× baseline', met: base !== undefined && value.median <= 1.5 * base.median }),
    });
  } finally {
    await git.dispose();
    await paasd.stop();
  }
}

export const scaleBenchmark: Benchmark = {
  name: 'scale',
  description: 'ps:scale web 1 → 10 until all 10 answer through the router',
  async run(ctx) {
    const installed = await installedCopy(NODE_WEB);
    try {
      const figures: Figure[] = [];
      for (const runtime of ctx.runtimes) figures.push(await measure(ctx, runtime, installed.dir));
      return figures;
    } finally {
      await installed.dispose();
    }
  },
};
