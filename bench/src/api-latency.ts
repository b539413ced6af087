/**
 * 6. API: p50/p99 of config:set (PATCH config-vars) and of the releases list, at
 * concurrency 1 and 16. The app has no code, so a config change writes a release and
 * starts no process: the figure is the API and the store. Baseline: the disk's own
 * write + fdatasync latency in the data dir, measured in the same run, since a change is
 * acknowledged only once it is synced.
 */
import { repeat, type Benchmark } from './context.js';
import { fdatasyncLatencies } from './disk-sync.js';
import { figure, type Figure } from './figure.js';
import { startPaasd, type RunningPaasd } from './paasd-process.js';
import { percentile } from './stats.js';

const APP = 'api-latency';
const REQUESTS = 400;

/** `requests` calls spread over `concurrency` clients; the latency of each, in ms. */
async function latencies(concurrency: number, requests: number, call: (i: number) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < requests) {
      const i = next;
      next += 1;
      const started = performance.now();
      await call(i);
      times.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => client()));
  return times.sort((a, b) => a - b);
}

function operations(paasd: RunningPaasd): Record<string, (i: number) => Promise<void>> {
  let serial = 0;
  return {
    'config:set': async () => {
      serial += 1;
      const response = await paasd.api.request('PATCH', `/apps/${APP}/config-vars`, { BENCH: String(serial) });
      if (response.status !== 200) throw new Error(`config:set answered ${String(response.status)}`);
    },
    'releases list': async () => {
      const response = await paasd.api.request('GET', `/apps/${APP}/releases`);
      if (response.status !== 200 && response.status !== 206) throw new Error(`releases answered ${String(response.status)}`);
    },
  };
}

export const apiBenchmark: Benchmark = {
  name: 'api',
  description: 'p50/p99 of config:set and of the releases list at concurrency 1 and 16',
  async run(ctx) {
    const paasd = await startPaasd({ runtime: 'local' });
    const figures: Figure[] = [];
    try {
      await paasd.api.call('POST', '/apps', { name: APP });
      const ops = operations(paasd);
      await latencies(4, 50, ops['config:set'] ?? (async () => undefined)); // warm-up: JIT, connections
      const syncs = await repeat(ctx.runs, () => fdatasyncLatencies(paasd.dataDir, REQUESTS));
      ctx.log(`api fdatasync: p50 ${syncs.map((r) => percentile(r, 50).toFixed(1)).join(' ')}, p99 ${syncs.map((r) => percentile(r, 99).toFixed(1)).join(' ')}`);
      const base = { benchmark: 'api', runtime: '-' as const, unit: 'ms' };
      const syncP99 = syncs.map((r) => percentile(r, 99));
      figures.push(figure({ ...base, name: 'disk write+fdatasync p50', runs: syncs.map((r) => percentile(r, 50)) }));
      figures.push(figure({ ...base, name: 'disk write+fdatasync p99', runs: syncP99 }));
      for (const [name, call] of Object.entries(ops)) {
        for (const concurrency of [1, 16]) {
          const runs = await repeat(ctx.runs, () => latencies(concurrency, REQUESTS, call));
          ctx.log(`api ${name} c=${String(concurrency)}: p50 ${runs.map((r) => percentile(r, 50).toFixed(1)).join(' ')}, p99 ${runs.map((r) => percentile(r, 99).toFixed(1)).join(' ')}`);
          figures.push(figure({ ...base, name: `${name} p50, c=${String(concurrency)}`, runs: runs.map((r) => percentile(r, 50)) }));
          const setAtSixteen = name === 'config:set' && concurrency === 16;
          figures.push(
            figure({
              ...base,
              name: `${name} p99, c=${String(concurrency)}`,
              runs: runs.map((r) => percentile(r, 99)),
              // The bar: 20 ms, or 1.5× the disk's own p99 where the disk alone is slower than that allows.
              ...(setAtSixteen
                ? {
                    baseline: { name: 'fdatasync p99', runs: syncP99 },
                    bar: (value, sync) => ({
                      text: '≤ 20 ms or ≤ 1.5× fdatasync p99',
                      met: value.median <= 20 || (sync !== undefined && value.median <= 1.5 * sync.median),
                    }),
                  }
                : {}),
            }),
          );
        }
      }
      return figures;
    } finally {
      await paasd.stop();
    }
  },
};
