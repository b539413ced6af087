/**
 * 1. push-to-live: from the start of `git push` to the first 200 from the new release
 * through the router, cold (a new app: empty build cache) and warm (a code change), for
 * an npm app (node-web) and beside it a yarn, a pnpm and a Python app.
 * npm's floor: `git push` to a plain bare repo + `npm ci` with a warm npm cache + the app
 * started directly. The others are compared with the npm app's figure of the same run.
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

/** An app shape pushed cold and warm: its fixture, the file a code change edits, and how. */
interface Shape {
  readonly manager: string;
  readonly fixture: string;
  readonly file: string;
  /** The source with `marker` in the answer. */
  edit(source: string, marker: string): string;
  /** What the answer holds once the release with `marker` (or, cold, the fixture's own) serves. */
  answer(marker: string | undefined): string;
}

const nodeShape = (manager: string, fixture: string): Shape => ({
  manager,
  fixture,
  file: 'server.js',
  edit: (source, marker) => source.replace(/app: '[^']*'/, `app: '${marker}'`),
  answer: (marker) => `"app":"${marker ?? fixture}"`,
});

const SHAPES: readonly Shape[] = [
  nodeShape('npm', 'node-web'),
  nodeShape('yarn', 'yarn-classic'),
  nodeShape('pnpm', 'pnpm-web'),
  {
    manager: 'python',
    fixture: 'python-web',
    file: 'server.py',
    edit: (source, marker) => source.replace('{"dyno":', `{"app": "${marker}", "dyno":`),
    answer: (marker) => (marker === undefined ? '"greeting"' : `"app": "${marker}"`),
  },
];

/** Pushes and, at the same time, asks the router until the body shows `marker`; ms from the push's start. */
async function pushToLive(paasd: RunningPaasd, git: GitWorkspace, dir: string, app: string, marker: string): Promise<number> {
  const started = performance.now();
  const live = pollUntil(paasd.routerPort, hostOf(app), (a) => a.status === 200 && a.body.includes(marker), LIVE_TIMEOUT_MS);
  // A failed push is the error to report; the poll's own timeout later must not crash the bench.
  live.catch(() => undefined);
  await push(git, dir, gitUrl(paasd, app));
  return (await live) - started;
}

/** Changes only code: the marker in the app's answer, so the new release can be told apart. */
async function changeCode(git: GitWorkspace, dir: string, shape: Shape, marker: string): Promise<void> {
  const file = join(dir, shape.file);
  const source = await readFile(file, 'utf8');
  const edited = shape.edit(source, marker);
  if (edited === source) throw new Error(`${shape.fixture}/${shape.file} no longer has the text the bench edits`);
  await writeFile(file, edited);
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

/** PAAS_BENCH_PUSH_SHAPES (`npm,yarn,pnpm,python` by default) measures only the shapes it names; npm must be among them. */
function chosenShapes(): readonly Shape[] {
  const named = (process.env.PAAS_BENCH_PUSH_SHAPES ?? SHAPES.map((shape) => shape.manager).join(',')).split(',').map((name) => name.trim());
  const unknown = named.filter((name) => !SHAPES.some((shape) => shape.manager === name));
  if (unknown.length > 0 || !named.includes('npm')) {
    throw new Error(`PAAS_BENCH_PUSH_SHAPES: name npm and any of yarn, pnpm, python${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`);
  }
  return SHAPES.filter((shape) => named.includes(shape.manager));
}

/** The build's own timings (paasd's `build succeeded` line), printed beside each push. */
function stagesOf(entry: Readonly<Record<string, unknown>>): string | undefined {
  if (entry.msg !== 'build succeeded' || typeof entry.stagesMs !== 'object' || entry.stagesMs === null) return undefined;
  return Object.entries(entry.stagesMs)
    .map(([stage, ms]) => `${stage} ${String(ms)}`)
    .join(', ');
}

/** Within the deploy: what the local driver's start of the new process spent unpacking (slug and layer) and making its app dir. */
function processStartOf(entry: Readonly<Record<string, unknown>>): string | undefined {
  if (entry.msg !== 'process started' || typeof entry.unpackMs !== 'number') return undefined;
  return `process start: unpack ${String(entry.unpackMs)}, app dir ${String(entry.appDirMs)}`;
}

async function measure(ctx: BenchContext, runtime: Runtime, floor: readonly number[]): Promise<Figure[]> {
  let stages = '';
  let processStart = '';
  const paasd = await startPaasd({
    runtime,
    onLog: (entry) => {
      processStart = processStartOf(entry) ?? processStart;
      const built = stagesOf(entry);
      // The deploy (and so the new process's start) ends before its build is logged as done.
      if (built === undefined) return;
      stages = processStart === '' ? built : `${built} (${processStart})`;
      processStart = '';
    },
  });
  const git = await createGitWorkspace(paasd.api.token);
  try {
    const figures: Figure[] = [];
    let npm: { cold: number[]; warm: number[] } | undefined;
    for (const shape of chosenShapes()) {
      const cold: number[] = [];
      const warm: number[] = [];
      await repeat(ctx.runs, async (run) => {
        const app = `push-${shape.manager}-${String(run)}`;
        await paasd.api.call('POST', '/apps', { name: app });
        const dir = await git.repo(app, join(FIXTURES, shape.fixture));
        cold.push(await pushToLive(paasd, git, dir, app, shape.answer(undefined)));
        const coldStages = stages;
        const marker = `${shape.manager}-warm-${String(run)}`;
        await changeCode(git, dir, shape, marker);
        warm.push(await pushToLive(paasd, git, dir, app, shape.answer(marker)));
        ctx.log(`push-to-live ${runtime} ${shape.manager} run ${String(run + 1)}: cold ${cold.at(-1)?.toFixed(0) ?? ''} ms, warm ${warm.at(-1)?.toFixed(0) ?? ''} ms`);
        ctx.log(`  build stages (ms), cold: ${coldStages}; warm: ${stages}`);
        await paasd.api.call('DELETE', `/apps/${app}`);
      });
      figures.push(...shapeFigures(shape, runtime, { cold, warm }, npm, floor));
      npm ??= { cold, warm };
    }
    return figures;
  } finally {
    await git.dispose();
    await paasd.stop();
  }
}

/** npm's figures beside the floor (with the issue's bar for warm); the others' beside npm's of the same run. */
function shapeFigures(
  shape: Shape,
  runtime: Runtime,
  runs: { cold: number[]; warm: number[] },
  npm: { cold: number[]; warm: number[] } | undefined,
  floor: readonly number[],
): Figure[] {
  if (npm === undefined) {
    const slack = runtime === 'local' ? 2_000 : 4_000;
    const baseline = { name: 'floor', runs: floor };
    return [
      figure({ benchmark: 'push-to-live', name: 'cold (new app, empty cache)', runtime, unit: 'ms', runs: runs.cold, baseline }),
      figure({
        benchmark: 'push-to-live',
        name: 'warm (code change)',
        runtime,
        unit: 'ms',
        runs: runs.warm,
        baseline,
        bar: (value, base) => ({ text: `≤ floor + ${String(slack / 1000)} s`, met: base !== undefined && value.median <= base.median + slack }),
      }),
    ];
  }
  const label = `${shape.manager} (${shape.fixture})`;
  return [
    figure({ benchmark: 'push-to-live', name: `${label} cold`, runtime, unit: 'ms', runs: runs.cold, baseline: { name: 'npm cold', runs: npm.cold } }),
    figure({ benchmark: 'push-to-live', name: `${label} warm`, runtime, unit: 'ms', runs: runs.warm, baseline: { name: 'npm warm', runs: npm.warm } }),
  ];
}

export const pushToLiveBenchmark: Benchmark = {
  name: 'push-to-live',
  description: 'git push of an npm, a yarn, a pnpm and a Python app until the new release answers through the router, cold and warm',
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
