/**
 * 1. push-to-live for node-web: from the start of `git push` to the first 200 from the new
 * release through the router, cold (a new app: empty build cache) and warm (a code change).
 * Floor: `git push` to a plain bare repo + `npm ci` with a warm npm cache + the app started directly.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runOrThrow } from './command.js';
import { repeat, type BenchContext, type Benchmark } from './context.js';
import { FIXTURES, gitUrl, hostOf } from './deployed-app.js';
import { installedCopy, startLocal } from './direct-start.js';
import { figure, type Figure } from './figure.js';
import { createGitWorkspace, push, type GitWorkspace } from './git.js';
import { pollUntil } from './http-probe.js';
import { startPaasd, type RunningPaasd, type Runtime } from './paasd-process.js';

const NODE_WEB = join(FIXTURES, 'node-web');
const LIVE_TIMEOUT_MS = 600_000;

/** Pushes and, at the same time, asks the router until the body shows `marker`; ms from the push's start. */
async function pushToLive(paasd: RunningPaasd, git: GitWorkspace, dir: string, app: string, marker: string): Promise<number> {
  const started = performance.now();
  const live = pollUntil(paasd.routerPort, hostOf(app), (a) => a.status === 200 && a.body.includes(marker), LIVE_TIMEOUT_MS);
  await push(git, dir, gitUrl(paasd, app));
  return (await live) - started;
}

/** Changes only code: the app's name in its answer, so the new release can be told apart. */
async function changeCode(git: GitWorkspace, dir: string, marker: string): Promise<void> {
  const file = join(dir, 'server.js');
  const source = await readFile(file, 'utf8');
  await writeFile(file, source.replace(/app: '[^']*'/, `app: '${marker}'`));
  await git.git(dir, ['commit', '-qam', marker]);
}

/** The floor: the same work without the platform. */
async function floorOnce(git: GitWorkspace): Promise<number> {
  const scratch = await mkdtemp(join(tmpdir(), 'paas-bench-floor-'));
  try {
    const bare = join(scratch, 'bare.git');
    await runOrThrow('git', ['init', '-q', '--bare', bare]);
    const dir = await git.repo(`floor-${String(Date.now())}`, NODE_WEB);
    const started = performance.now();
    await push(git, dir, bare);
    await runOrThrow('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
    const app = await startLocal(dir, 1);
    const elapsed = performance.now() - started;
    await app.stop();
    await rm(dir, { recursive: true, force: true });
    return elapsed;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function measure(ctx: BenchContext, runtime: Runtime, floor: readonly number[]): Promise<Figure[]> {
  const paasd = await startPaasd({ runtime });
  const git = await createGitWorkspace(paasd.api.token);
  try {
    const cold: number[] = [];
    const warm: number[] = [];
    await repeat(ctx.runs, async (run) => {
      const app = `push-${String(run)}`;
      await paasd.api.call('POST', '/apps', { name: app });
      const dir = await git.repo(app, NODE_WEB);
      cold.push(await pushToLive(paasd, git, dir, app, '"app":"node-web"'));
      const marker = `node-web-${String(run)}`;
      await changeCode(git, dir, marker);
      warm.push(await pushToLive(paasd, git, dir, app, `"app":"${marker}"`));
      ctx.log(`push-to-live ${runtime} run ${String(run + 1)}: cold ${cold.at(-1)?.toFixed(0) ?? ''} ms, warm ${warm.at(-1)?.toFixed(0) ?? ''} ms`);
      await paasd.api.call('DELETE', `/apps/${app}`);
    });
    const slack = runtime === 'local' ? 2_000 : 4_000;
    const baseline = { name: 'floor', runs: floor };
    return [
      figure({ benchmark: 'push-to-live', name: 'cold (new app, empty cache)', runtime, unit: 'ms', runs: cold, baseline }),
      figure({
        benchmark: 'push-to-live',
        name: 'warm (code change)',
        runtime,
        unit: 'ms',
        runs: warm,
        baseline,
        bar: (value, base) => ({ text: `≤ floor + ${String(slack / 1000)} s`, met: base !== undefined && value.median <= base.median + slack }),
      }),
    ];
  } finally {
    await git.dispose();
    await paasd.stop();
  }
}

export const pushToLiveBenchmark: Benchmark = {
  name: 'push-to-live',
  description: 'git push of node-web until the new release answers through the router, cold and warm',
  async run(ctx) {
    const git = await createGitWorkspace('unused');
    let floor: number[];
    try {
      // Warms the npm cache the floor's `npm ci` reads.
      await (await installedCopy(NODE_WEB)).dispose();
      floor = await repeat(ctx.runs, () => floorOnce(git));
    } finally {
      await git.dispose();
    }
    const figures: Figure[] = [];
    for (const runtime of ctx.runtimes) figures.push(...(await measure(ctx, runtime, floor)));
    return figures;
  },
};
