/**
 * `npm run bench [-- NAME… ] [--runs N] [--runtime local|docker|both]`: runs the benchmarks
 * (all, or those named), prints a table and writes bench/results/latest.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { accessBenchmark } from './access-check.js';
import { addonsBenchmark } from './addons.js';
import { apiBenchmark } from './api-latency.js';
import { ensureTools } from './apt.js';
import type { BenchContext, Benchmark } from './context.js';
import type { Figure } from './figure.js';
import { logsBenchmark } from './logs.js';
import { describeMachine } from './machine.js';
import { paasdBenchmark } from './paasd-start.js';
import { REPO_ROOT, type Runtime } from './paasd-process.js';
import { pushToLiveBenchmark } from './push-to-live.js';
import { registryTlsBenchmark } from './registry-tls.js';
import { rolloutBenchmark } from './rollout.js';
import { routerBenchmark } from './router.js';
import { scaleBenchmark } from './scale.js';
import { renderTable } from './table.js';

const BENCHMARKS: readonly Benchmark[] = [pushToLiveBenchmark, rolloutBenchmark, scaleBenchmark, routerBenchmark, logsBenchmark, apiBenchmark, accessBenchmark, paasdBenchmark, addonsBenchmark, registryTlsBenchmark];
const USAGE = `usage: npm run bench -- [${BENCHMARKS.map((b) => b.name).join('|')} …] [--runs N] [--runtime local|docker|swarm|both]`;

const RUNTIME_CHOICES: Readonly<Record<string, readonly Runtime[]>> = { both: ['local', 'docker'], local: ['local'], docker: ['docker'], swarm: ['swarm'] };
const SWARM_BENCHMARKS: readonly string[] = ['scale', 'push-to-live'];

function parse(argv: readonly string[]): { selected: Benchmark[]; runs: number; runtimes: Runtime[] } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { runs: { type: 'string', default: '5' }, runtime: { type: 'string', default: 'both' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n${BENCHMARKS.map((b) => `  ${b.name.padEnd(13)} ${b.description}`).join('\n')}\n`);
    process.exit(0);
  }
  const unknown = positionals.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}\n${USAGE}`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1\n${USAGE}`);
  const runtimes = RUNTIME_CHOICES[values.runtime];
  if (!runtimes) throw new Error(`--runtime is local, docker, swarm or both\n${USAGE}`);
  const selected = positionals.length === 0 ? [...BENCHMARKS] : BENCHMARKS.filter((b) => positionals.includes(b.name));
  // The other benchmarks' baselines are made for one engine (docker run) or none.
  const withoutSwarm = selected.filter((b) => !SWARM_BENCHMARKS.includes(b.name));
  if (runtimes.includes('swarm') && withoutSwarm.length > 0) {
    throw new Error(`--runtime swarm measures ${SWARM_BENCHMARKS.join(' and ')} only, not ${withoutSwarm.map((b) => b.name).join(', ')}\n${USAGE}`);
  }
  return { selected, runs, runtimes: [...runtimes] };
}

async function main(): Promise<void> {
  const { selected, runs, runtimes } = parse(process.argv.slice(2));
  await ensureTools([...new Set(selected.flatMap((b) => b.tools ?? []))]);
  const machine = await describeMachine(REPO_ROOT);
  const ctx: BenchContext = { runs, runtimes, log: (message) => process.stderr.write(`  ${message}\n`) };
  const figures: Figure[] = [];
  const failures: { benchmark: string; error: string }[] = [];
  const started = new Date();
  for (const benchmark of selected) {
    process.stderr.write(`${benchmark.name}: ${benchmark.description}\n`);
    try {
      figures.push(...(await benchmark.run(ctx)));
    } catch (error) {
      // One benchmark failing must not lose the others' figures.
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push({ benchmark: benchmark.name, error: message });
      process.stderr.write(`${benchmark.name} failed: ${message}\n`);
    }
  }
  const table = renderTable(figures);
  process.stdout.write(`\n${table}\n`);
  if (failures.length > 0) process.stdout.write(`\nfailed: ${failures.map((f) => f.benchmark).join(', ')}\n`);
  const resultsDir = join(REPO_ROOT, 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  const result = { startedAt: started.toISOString(), finishedAt: new Date().toISOString(), runs, runtimes, machine, figures, failures };
  await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nwrote bench/results/latest.json\n`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
