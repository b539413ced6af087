/**
 * 5. logs: lines/s end to end into a TCP syslog receiver, every line counted, next to the
 * same app writing to a pipe that is thrown away.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { repeat, type BenchContext, type Benchmark } from './context.js';
import { BENCH_FIXTURES, deployApp, scale } from './deployed-app.js';
import { figure, type Figure } from './figure.js';
import { createGitWorkspace } from './git.js';
import { startPaasd, type Runtime } from './paasd-process.js';
import { startSyslogReceiver, type RunCount } from './syslog-receiver.js';

const APP = 'logging';
const LINES = 100_000;
const EMITTER = join(BENCH_FIXTURES, 'log-emitter');
/** Lines still missing after this long without a new one are counted lost. */
const QUIET_MS = 5_000;

/** The emitter with its stdout going to a pipe nobody reads beyond draining it: lines/s. */
function pipeBaseline(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-u', 'emit.py'], { cwd: EMITTER, env: { ...process.env, LINES: String(LINES), EMIT_EXIT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      const ms = /ms=([\d.]+)/.exec(stderr);
      if (ms) resolve(LINES / (Number(ms[1]) / 1000));
      else reject(new Error(`emitter said: ${stderr}`));
    });
  });
}

/** Waits for a new run to appear and then for all its lines, or for QUIET_MS without progress. */
async function awaitRun(runs: Map<string, RunCount>, known: ReadonlySet<string>, timeoutMs: number): Promise<RunCount> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fresh = [...runs].find(([id]) => !known.has(id))?.[1];
    if (fresh && (fresh.unique === LINES || Date.now() - fresh.lastAt > QUIET_MS)) return fresh;
    if (!fresh && Date.now() > deadline) throw new Error('no bench line reached the drain');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function measure(ctx: BenchContext, runtime: Runtime, baseline: readonly number[]): Promise<Figure> {
  const receiver = await startSyslogReceiver(LINES);
  const paasd = await startPaasd({ runtime });
  const git = await createGitWorkspace(paasd.api.token);
  try {
    await deployApp(paasd, git, APP, EMITTER, false);
    await paasd.api.call('PATCH', `/apps/${APP}/config-vars`, { LINES: String(LINES) });
    await paasd.api.call('POST', `/apps/${APP}/log-drains`, { url: `syslog://127.0.0.1:${String(receiver.port)}` });
    let lost = 0;
    let duplicates = 0;
    const rates = await repeat(ctx.runs, async (run) => {
      const known = new Set(receiver.runs.keys());
      await paasd.api.call('PATCH', `/apps/${APP}/formation`, { updates: [{ type: 'emit', quantity: 1 }] });
      const count = await awaitRun(receiver.runs, known, 120_000);
      lost += LINES - count.unique;
      duplicates += count.duplicates;
      const rate = count.unique / ((count.lastAt - count.t0 * 1000) / 1000);
      ctx.log(`logs ${runtime} run ${String(run + 1)}: ${String(count.unique)}/${String(LINES)} lines, ${rate.toFixed(0)} lines/s`);
      await scale(paasd, APP, 'emit', 0);
      return rate;
    });
    return figure({
      benchmark: 'logs',
      name: `lines/s into a syslog drain (${String(LINES)} lines a run)`,
      runtime,
      unit: 'lines/s',
      runs: rates,
      baseline: { name: 'pipe, thrown away', runs: baseline },
      bar: (value) => ({ text: `≥ 30,000 lines/s, 0 lost (lost: ${String(lost)}, duplicated: ${String(duplicates)})`, met: value.median >= 30_000 && lost === 0 }),
    });
  } finally {
    await git.dispose();
    await paasd.stop();
    await receiver.close();
  }
}

export const logsBenchmark: Benchmark = {
  name: 'logs',
  description: 'lines/s from an app into a TCP syslog drain, all counted, next to a pipe thrown away',
  async run(ctx) {
    const baseline = await repeat(ctx.runs, () => pipeBaseline());
    const figures: Figure[] = [];
    for (const runtime of ctx.runtimes) figures.push(await measure(ctx, runtime, baseline));
    return figures;
  },
};
