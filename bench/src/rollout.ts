/**
 * 2. rollback-to-live and config:set-to-live with 1 and 3 web processes under a steady
 * request loop: time until the new release serves every request, and failed requests.
 * Baseline: the app started directly until it answers (local), `docker run` of the same image (docker);
 * and the same start again while the rollout's request loop runs against the app (no bar).
 */
import { join } from 'node:path';

import { repeat, type BenchContext, type Benchmark } from './context.js';
import { FIXTURES, deployApp, hostOf, scale } from './deployed-app.js';
import { containerTemplate, installedCopy, runtimeNode, startContainers, startLocal, type Started } from './direct-start.js';
import { figure, type Figure } from './figure.js';
import { createGitWorkspace } from './git.js';
import { startPaasd, type RunningPaasd, type Runtime } from './paasd-process.js';
import { liveAt, startRequestLoop } from './request-loop.js';

const NODE_WEB = join(FIXTURES, 'node-web');
const APP = 'rollout';
const LOOP_CONCURRENCY = 4;
/**
 * Each of the loop's clients starts a request every 5 ms (800 requests/s in all): traffic at a
 * fixed rate, so that the load a rollout boots under does not grow as the router gets faster.
 * PAAS_BENCH_ROLLOUT_LOOP_INTERVAL_MS=0 asks back to back, as the loop did before 2026-12-07.
 */
const LOOP_INTERVAL_MS = loopInterval(process.env.PAAS_BENCH_ROLLOUT_LOOP_INTERVAL_MS);

function loopInterval(text: string | undefined): number {
  const value = Number(text ?? 5);
  if (!Number.isFinite(value) || value < 0) throw new Error(`PAAS_BENCH_ROLLOUT_LOOP_INTERVAL_MS must be a number of ms ≥ 0, got ${JSON.stringify(text)}`);
  return value;
}
const LIVE_TIMEOUT_MS = 120_000;

interface Outcome {
  readonly ms: number;
  readonly failed: number;
  /** What the first failed request got, for the log. */
  readonly firstFailure?: string;
}

/** Does `change`, then waits until every answer carries `greeting`; counts failures meanwhile. */
async function changeToLive(paasd: RunningPaasd, greeting: string | null, change: () => Promise<unknown>): Promise<Outcome> {
  const loop = startRequestLoop(paasd.routerPort, hostOf(APP), LOOP_CONCURRENCY, LOOP_INTERVAL_MS);
  // Let the loop run on the old release first, so a cut-over is seen as one.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const fragment = `"greeting":${JSON.stringify(greeting)}`;
  const isNew = (body: string): boolean => body.includes(fragment);
  const started = performance.now();
  await change();
  const deadline = started + LIVE_TIMEOUT_MS;
  let live: number | undefined;
  while (performance.now() < deadline) {
    live = liveAt(loop.samples, started, isNew);
    // Settled: the new release answered, and has kept answering for a while since.
    if (live !== undefined && performance.now() - live > 1_000) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await loop.stop();
  if (live === undefined) throw new Error(`the release with GREETING=${String(greeting)} never served every request`);
  const failures = loop.samples.filter((s) => !s.ok);
  return { ms: live - started, failed: failures.length, ...(failures[0] ? { firstFailure: failures[0].detail } : {}) };
}

/**
 * The direct start, `count` at once; with `loop`, while the same request loop as a rollout's
 * runs against the app's live processes through paasd's router: a rollout boots its new
 * processes beside that load, and the idle baseline does not.
 */
async function baselineRuns(ctx: BenchContext, paasd: RunningPaasd, count: number, dir: string, underLoop: boolean): Promise<number[]> {
  let start: (count: number) => Promise<Started>;
  if (paasd.runtime === 'docker') {
    const template = await containerTemplate(APP);
    start = (n) => startContainers(template, n);
  } else {
    const node = await runtimeNode(paasd.dataDir);
    start = (n) => startLocal(dir, n, [node, 'server.js']);
  }
  return repeat(ctx.runs, async () => {
    const requests = underLoop ? startRequestLoop(paasd.routerPort, hostOf(APP), LOOP_CONCURRENCY, LOOP_INTERVAL_MS) : undefined;
    try {
      if (requests) await new Promise((resolve) => setTimeout(resolve, 200));
      const started = await start(count);
      await started.stop();
      return started.elapsedMs;
    } finally {
      await requests?.stop();
    }
  });
}

async function measure(ctx: BenchContext, runtime: Runtime, installedDir: string): Promise<Figure[]> {
  const paasd = await startPaasd({ runtime });
  const git = await createGitWorkspace(paasd.api.token);
  const figures: Figure[] = [];
  try {
    await deployApp(paasd, git, APP, NODE_WEB);
    for (const count of [1, 3]) {
      await scale(paasd, APP, 'web', count);
      const configSet: Outcome[] = [];
      const rollback: Outcome[] = [];
      const warmUpFailed = { 'config:set-to-live': 0, 'rollback-to-live': 0 };
      // Run 0 is a warm-up, logged and not counted, as every benchmark here warms up: the first
      // rollout after a deploy or a scale finds none of the spare app dirs the local driver
      // keeps for a running formation (made once things have been quiet for 500 ms), and
      // processes and router connections that have not served yet.
      await repeat(ctx.runs + 1, async (run) => {
        const warmUp = run === 0;
        const greeting = `c${String(count)}-${String(run)}`;
        const before = await paasd.api.call<{ version: number }[]>('GET', `/apps/${APP}/releases`);
        const previous = before[0]?.version ?? 1;
        const previousGreeting = (await paasd.api.call<Record<string, string>>('GET', `/apps/${APP}/config-vars`)).GREETING ?? null;
        const set = await changeToLive(paasd, greeting, () => paasd.api.call('PATCH', `/apps/${APP}/config-vars`, { GREETING: greeting }));
        const back = await changeToLive(paasd, previousGreeting, () => paasd.api.call('POST', `/apps/${APP}/releases`, { release: String(previous) }));
        if (warmUp) {
          // Not timed, but a request it failed is still one the bar counts.
          warmUpFailed['config:set-to-live'] += set.failed;
          warmUpFailed['rollback-to-live'] += back.failed;
        } else {
          configSet.push(set);
          rollback.push(back);
        }
        ctx.log(`rollout ${runtime} web=${String(count)} ${warmUp ? 'warm-up' : `run ${String(run)}`}: config:set ${JSON.stringify(set)}, rollback ${JSON.stringify(back)}`);
      });
      const startName = runtime === 'docker' ? `docker run ×${String(count)}` : `direct start ×${String(count)}`;
      const baseline = { name: startName, runs: await baselineRuns(ctx, paasd, count, installedDir, false) };
      const loaded = { name: `${startName}, loop`, runs: await baselineRuns(ctx, paasd, count, installedDir, true) };
      for (const [name, outcomes] of [['config:set-to-live', configSet], ['rollback-to-live', rollback]] as const) {
        const failed = outcomes.reduce((sum, o) => sum + o.failed, warmUpFailed[name]);
        figures.push(
          figure({
            benchmark: 'rollout',
            name: `${name}, web=${String(count)}`,
            runtime,
            unit: 'ms',
            runs: outcomes.map((o) => o.ms),
            baseline,
            bar: (value, base) => ({ text: `≤ 1.5× baseline, 0 failed (failed: ${String(failed)})`, met: base !== undefined && value.median <= 1.5 * base.median && failed === 0 }),
          }),
          // No bar: the issue's is against the idle start; this says how much of the gap is the loop's.
          figure({ benchmark: 'rollout', name: `${name}, web=${String(count)}, against a start under the loop`, runtime, unit: 'ms', runs: outcomes.map((o) => o.ms), baseline: loaded }),
        );
      }
    }
    return figures;
  } finally {
    await git.dispose();
    await paasd.stop();
  }
}

export const rolloutBenchmark: Benchmark = {
  name: 'rollout',
  description: 'config:set and rollback until the new release serves every request, 1 and 3 web processes, under load',
  async run(ctx) {
    const installed = await installedCopy(NODE_WEB);
    try {
      const figures: Figure[] = [];
      for (const runtime of ctx.runtimes) figures.push(...(await measure(ctx, runtime, installed.dir)));
      return figures;
    } finally {
      await installed.dispose();
    }
  },
};
