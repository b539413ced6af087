/**
 * 8. Access: what a member's request costs over an admin's. p50 and p99 of reading an app's
 * config at concurrency 1, as the admin (PAAS_API_TOKEN: no stored token to look up, no
 * grant to read) and as a member (a stored token among `TOKENS`, compared against every
 * stored hash, then the user and their grant on the app read). Baseline: the admin's
 * figure in the same run.
 */
import { createApi } from './api.js';
import { repeat, type Benchmark } from './context.js';
import { figure, type Figure } from './figure.js';
import { startPaasd } from './paasd-process.js';
import { percentile } from './stats.js';

const APP = 'access-check';
const REQUESTS = 400;
/** Stored tokens besides the member's: a team's worth of laptops and CI jobs. */
const TOKENS = 200;

async function latencies(requests: number, call: () => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < requests; i += 1) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

export const accessBenchmark: Benchmark = {
  name: 'access',
  description: "a member's request (stored token among 200, grant read) against the admin's, p50/p99",
  async run(ctx) {
    const paasd = await startPaasd({ runtime: 'local' });
    const figures: Figure[] = [];
    try {
      await paasd.api.call('POST', '/apps', { name: APP });
      const member = await paasd.api.call<{ authorization: { access_token: { token: string } } }>('POST', '/users', { email: 'member@bench.test' });
      await paasd.api.call('POST', `/apps/${APP}/collaborators`, { user: 'member@bench.test', permissions: ['view'] });
      for (let i = 0; i < TOKENS; i += 1) await paasd.api.call('POST', '/oauth/authorizations', { description: `bench ${String(i)}` });
      const asMember = createApi(paasd.api.url, member.authorization.access_token.token);
      const read = (api: typeof asMember) => async (): Promise<void> => {
        const response = await api.request('GET', `/apps/${APP}/config-vars`);
        if (response.status !== 200) throw new Error(`config-vars answered ${String(response.status)}`);
      };
      await latencies(50, read(paasd.api)); // warm-up: JIT, connections
      await latencies(50, read(asMember));
      const admin = await repeat(ctx.runs, () => latencies(REQUESTS, read(paasd.api)));
      const mine = await repeat(ctx.runs, () => latencies(REQUESTS, read(asMember)));
      const base = { benchmark: 'access', runtime: '-' as const, unit: 'ms' };
      for (const p of [50, 99]) {
        const adminRuns = admin.map((r) => percentile(r, p));
        figures.push(figure({ ...base, name: `config-vars as admin p${String(p)}`, runs: adminRuns }));
        figures.push(figure({ ...base, name: `config-vars as member p${String(p)}`, runs: mine.map((r) => percentile(r, p)), baseline: { name: `admin p${String(p)}`, runs: adminRuns } }));
      }
      return figures;
    } finally {
      await paasd.stop();
    }
  },
};
