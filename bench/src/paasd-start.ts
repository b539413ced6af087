/**
 * 7. paasd: time from start (spawn) to a 200 from /healthz, and idle memory (RSS) once
 * started, with the 100 apps of the router benchmark created.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createApi } from './api.js';
import { repeat, type BenchContext, type Benchmark } from './context.js';
import { freePort } from './direct-start.js';
import { figure, type Figure } from './figure.js';
import { get } from './http-probe.js';
import { paasdCommand, type Runtime } from './paasd-process.js';

const APPS = 100;
/** How long paasd is left alone before its RSS is read. */
const IDLE_MS = 3_000;
/** And read again after this long: V8's memory reducer gives the young generation back 20–30 s into idleness. */
const SETTLED_MS = 30_000;

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) / 1024;
}

/** One start: ms to healthy, then (with APPS apps created and after IDLE_MS) RSS in MB. */
async function startOnce(runtime: Runtime, withApps: boolean, nodeFlags?: readonly string[]): Promise<{ healthyMs: number; rss: number; settledRss: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'paas-bench-start-'));
  const [port, routerPort] = [await freePort(), await freePort()];
  const token = randomBytes(24).toString('hex');
  const started = performance.now();
  const launch = paasdCommand(nodeFlags);
  const child = spawn(launch.command, launch.args, {
    cwd: dataDir,
    env: { PATH: launch.path, HOME: process.env.HOME ?? dataDir, PORT: String(port), HOST: '127.0.0.1', PAAS_ROUTER_PORT: String(routerPort), PAAS_RENDEZVOUS_PORT: '0', PAAS_ROUTER_TLS_PORT: '0', PAAS_RUNTIME: runtime, PAAS_DATA_DIR: dataDir, PAAS_API_TOKEN: token },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  try {
    let healthyAt: number | undefined;
    while (healthyAt === undefined && performance.now() - started < 30_000) {
      if (child.exitCode !== null) throw new Error(`paasd exited with ${String(child.exitCode)}`);
      const ok = await get(port, '127.0.0.1', '/healthz', undefined, 1_000).then((a) => a.status === 200, () => false);
      if (ok) healthyAt = performance.now();
      else await new Promise((resolve) => setTimeout(resolve, 2));
    }
    if (healthyAt === undefined) throw new Error('paasd did not become healthy within 30 s');
    const api = createApi(`http://127.0.0.1:${String(port)}`, token);
    if (withApps) for (let i = 0; i < APPS; i += 1) await api.call('POST', '/apps', { name: `idle-${String(i).padStart(3, '0')}` });
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const rss = await rssMb(child.pid ?? 0);
    await new Promise((resolve) => setTimeout(resolve, SETTLED_MS - IDLE_MS));
    return { healthyMs: healthyAt - started, rss, settledRss: await rssMb(child.pid ?? 0) };
  } finally {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function measure(ctx: BenchContext, runtime: Runtime): Promise<Figure[]> {
  // Each run starts paasd twice, alternating: by its launcher, and by `node main.js` with V8's
  // default young generation (the baseline: what the launcher's flag saves).
  const runs = await repeat(ctx.runs, async (run) => {
    const result = await startOnce(runtime, true);
    const plain = await startOnce(runtime, true, []);
    ctx.log(`paasd ${runtime} run ${String(run + 1)}: healthy in ${result.healthyMs.toFixed(0)} ms, ${result.rss.toFixed(1)} MB, ${result.settledRss.toFixed(1)} MB at 30 s (V8 defaults: ${plain.healthyMs.toFixed(0)} ms, ${plain.rss.toFixed(1)} MB, ${plain.settledRss.toFixed(1)} MB at 30 s)`);
    return { result, plain };
  });
  const results = runs.map((r) => r.result);
  return [
    figure({
      benchmark: 'paasd',
      name: 'start to healthy',
      runtime,
      unit: 'ms',
      runs: results.map((r) => r.healthyMs),
      bar: (value) => ({ text: '≤ 2 s', met: value.median <= 2_000 }),
    }),
    figure({
      benchmark: 'paasd',
      name: `idle RSS (${String(APPS)} apps, no processes)`,
      runtime,
      unit: 'MB',
      runs: results.map((r) => r.rss),
      baseline: { name: 'node main.js (V8 defaults)', runs: runs.map((r) => r.plain.rss) },
      bar: (value) => ({ text: '≤ 100 MB', met: value.max <= 100 }),
    }),
    figure({
      benchmark: 'paasd',
      name: `idle RSS after ${String(SETTLED_MS / 1_000)} s (${String(APPS)} apps)`,
      runtime,
      unit: 'MB',
      runs: results.map((r) => r.settledRss),
      baseline: { name: 'node main.js (V8 defaults)', runs: runs.map((r) => r.plain.settledRss) },
    }),
  ];
}

export const paasdBenchmark: Benchmark = {
  name: 'paasd',
  description: 'paasd start to healthy, and idle RSS',
  async run(ctx) {
    const figures: Figure[] = [];
    for (const runtime of ctx.runtimes) figures.push(...(await measure(ctx, runtime)));
    return figures;
  },
};
