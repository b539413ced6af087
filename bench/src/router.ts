/**
 * 4. router: requests/s and p50/p99 latency with wrk at 50 connections — through each data
 * plane (the builtin router, and nginx run by paasd: PAAS_ROUTER=nginx), directly to the
 * backend, and through a bare nginx with upstream keep-alive to the same backends; HTTP and
 * HTTPS (not direct: the backends speak HTTP); 1 and 3 backends; 100 apps in the route table.
 * Local runtime: the router does not depend on the driver beyond the backends' addresses.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { repeat, type BenchContext, type Benchmark } from './context.js';
import { FIXTURES, deployApp, hostOf, scale } from './deployed-app.js';
import { freePort } from './direct-start.js';
import { figure, type Figure } from './figure.js';
import { createGitWorkspace } from './git.js';
import { pollUntil } from './http-probe.js';
import { startNginx } from './nginx.js';
import { startPaasd, type RunningPaasd } from './paasd-process.js';
import { runWrk, type WrkResult } from './wrk.js';

const APP = 'routed';
const APPS_IN_TABLE = 100;
const CONNECTIONS = 50;
const SECONDS = 5;
const WARM_UP_SECONDS = 1;
/** How long the plane must stay unchanged after the last dyno answered before a run starts. */
const SETTLE_MS = 2_000;
/** wrk's threads: the machine's two cores are shared by wrk, the proxy and the backends. */
const THREADS = 2;

interface Backend {
  readonly host: string;
  readonly port: number;
}

/** The app's live web processes, from the local driver's records. */
async function webBackends(paasd: RunningPaasd): Promise<Backend[]> {
  const dir = join(paasd.dataDir, 'local', 'processes');
  const backends: Backend[] = [];
  for (const id of await readdir(dir)) {
    const text = await readFile(join(dir, id, 'process.json'), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const record = JSON.parse(text) as { app: string; type: string; host: string; port: number; exit?: unknown };
    if (record.app === APP && record.type === 'web' && record.exit === undefined) backends.push({ host: record.host, port: record.port });
  }
  return backends;
}

/** The router's process count: one unless paasd runs it in several (PAAS_ROUTER_PROCESSES). */
const routerProcesses = (): number => Number(process.env.PAAS_ROUTER_PROCESSES ?? 1) || 1;

/**
 * Every dyno has answered through the plane, and then the plane has stayed as it is for a
 * moment: the scale's last route-table change (an nginx reload) must not fall inside a run.
 */
async function waitForDynos(port: number, count: number): Promise<void> {
  const seen = new Set<string>();
  await pollUntil(port, hostOf(APP), (answer) => {
    if (answer.status === 200) seen.add((JSON.parse(answer.body) as { dyno: string }).dyno);
    return seen.size === count;
  }, 60_000);
  await sleep(SETTLE_MS);
}

interface Targets {
  readonly plane: string;
  readonly direct: string;
  readonly nginx: string;
  readonly planeTls: string;
  readonly nginxTls: string;
  /** The same plane in a paasd run with V8's default young generation (PAAS_BENCH_ROUTER_V8_DEFAULTS). */
  readonly defaults?: string;
  readonly defaultsTls?: string;
}

type Target = keyof Targets;
type Results = Record<Target, WrkResult[]>;

/**
 * The three targets warmed up alike, then measured interleaved (plane, bare nginx, direct
 * in each run), so that whatever else the shared machine does meanwhile, and the backends'
 * own JIT warm-up, weigh on all three the same.
 */
async function interleaved(ctx: BenchContext, targets: Targets): Promise<Results> {
  const wrk = (url: string, seconds: number): Promise<WrkResult> => runWrk({ url, host: hostOf(APP), connections: CONNECTIONS, threads: THREADS, seconds });
  const order = (['plane', 'nginx', 'direct', 'planeTls', 'nginxTls', 'defaults', 'defaultsTls'] as const).filter((key) => targets[key] !== undefined);
  for (const key of order) await wrk(targets[key] ?? '', WARM_UP_SECONDS);
  const results: Results = { plane: [], nginx: [], direct: [], planeTls: [], nginxTls: [], defaults: [], defaultsTls: [] };
  await repeat(ctx.runs, async () => {
    for (const key of order) results[key].push(await wrk(targets[key] ?? '', SECONDS));
  });
  return results;
}

type Plane = 'builtin' | 'nginx';

/** PAAS_BENCH_ROUTER_PLANES (`builtin,nginx` by default) measures only the planes it names. */
function planes(): Plane[] {
  const named = (process.env.PAAS_BENCH_ROUTER_PLANES ?? 'builtin,nginx').split(',').map((name) => name.trim());
  const unknown = named.filter((name) => name !== 'builtin' && name !== 'nginx');
  if (unknown.length > 0) throw new Error(`PAAS_BENCH_ROUTER_PLANES: unknown plane(s) ${unknown.join(', ')}; use builtin, nginx or both`);
  return named as Plane[];
}

/** What each plane must reach beside a bare nginx: the bars. */
const BARS: Readonly<Record<Plane, { readonly throughput: number; readonly p99: number; readonly prefix: string }>> = {
  builtin: { throughput: 0.5, p99: 2, prefix: 'router' },
  nginx: { throughput: 0.85, p99: 1.3, prefix: 'nginx plane' },
};

function figuresFor(plane: Plane, count: number, router: WrkResult[], direct: WrkResult[], nginx: WrkResult[], workers: number, https = false, v8Defaults = false): Figure[] {
  const label = `${String(count)} backend${count === 1 ? '' : 's'}${https ? ', HTTPS' : ''}`;
  const bars = v8Defaults ? { ...BARS[plane], prefix: `${BARS[plane].prefix} (V8 defaults)` } : BARS[plane];
  const nginxName = `nginx, ${String(workers)} worker${workers === 1 ? '' : 's'}`;
  const errors = router.reduce((sum, r) => sum + r.errors, 0);
  const base = { benchmark: 'router', runtime: 'local' as const };
  return [
    figure({
      ...base,
      name: `${bars.prefix} req/s, ${label}`,
      unit: 'req/s',
      runs: router.map((r) => r.requestsPerSecond),
      baseline: { name: nginxName, runs: nginx.map((r) => r.requestsPerSecond) },
      bar: (value, b) => ({
        text: `≥ ${String(bars.throughput)}× nginx, 0 errors (errors: ${String(errors)})`,
        met: b !== undefined && value.median >= bars.throughput * b.median && errors === 0,
      }),
      note: `direct to one backend: ${Math.round(direct.map((r) => r.requestsPerSecond).sort((a, b) => a - b)[Math.floor(direct.length / 2)] ?? 0)} req/s; nginx errors ${String(nginx.reduce((s, r) => s + r.errors, 0))}`,
    }),
    figure({ ...base, name: `${bars.prefix} p50, ${label}`, unit: 'ms', runs: router.map((r) => r.p50Ms), baseline: { name: nginxName, runs: nginx.map((r) => r.p50Ms) } }),
    figure({
      ...base,
      name: `${bars.prefix} p99, ${label}`,
      unit: 'ms',
      runs: router.map((r) => r.p99Ms),
      baseline: { name: nginxName, runs: nginx.map((r) => r.p99Ms) },
      bar: (value, b) => ({ text: `≤ ${String(bars.p99)}× nginx`, met: b !== undefined && value.median <= bars.p99 * b.median }),
    }),
    // Backends speak plain HTTP only: the direct figures are the same for both schemes.
    ...(https || v8Defaults
      ? []
      : [
          figure({ ...base, name: `direct req/s (backend 1 of ${String(count)})`, unit: 'req/s', runs: direct.map((r) => r.requestsPerSecond) }),
          figure({ ...base, name: `direct p99 (backend 1 of ${String(count)})`, unit: 'ms', runs: direct.map((r) => r.p99Ms) }),
        ]),
  ];
}

interface RoutingPaasd {
  readonly paasd: RunningPaasd;
  readonly tlsPort: number;
  readonly git: Awaited<ReturnType<typeof createGitWorkspace>>;
}

/** paasd with the plane, the route table filled with 100 apps, node-web deployed. */
async function startRouting(plane: Plane, nodeFlags?: readonly string[]): Promise<RoutingPaasd> {
  // nginx listens on ports it is given (it cannot report a port it picked).
  const tlsPort = await freePort();
  const env: Record<string, string> = { PAAS_ROUTER_TLS_PORT: String(tlsPort), ...(plane === 'nginx' ? { PAAS_ROUTER: 'nginx', PAAS_ROUTER_PORT: String(await freePort()) } : {}) };
  const paasd = await startPaasd({ runtime: 'local', env, ...(nodeFlags ? { nodeFlags } : {}) });
  const git = await createGitWorkspace(paasd.api.token);
  for (let i = 1; i < APPS_IN_TABLE; i += 1) await paasd.api.call('POST', '/apps', { name: `filler-${String(i).padStart(3, '0')}` });
  await deployApp(paasd, git, APP, join(FIXTURES, 'node-web'));
  return { paasd, tlsPort, git };
}

async function stopRouting(routing: RoutingPaasd | undefined): Promise<void> {
  if (!routing) return;
  await routing.git.dispose();
  await routing.paasd.stop();
}

/** Scales the app to `count`, waits until each dyno answers through the plane, warms the backends; returns them. */
async function scaleAndWarm(routing: RoutingPaasd, count: number): Promise<Backend[]> {
  await scale(routing.paasd, APP, 'web', count);
  const backends = await webBackends(routing.paasd);
  if (backends.length !== count) throw new Error(`expected ${String(count)} backends, found ${JSON.stringify(backends)}`);
  await waitForDynos(routing.paasd.routerPort, count);
  // The backends the scale just started are warmed directly too: the first target measured must not pay for their JIT.
  for (const backend of backends) await runWrk({ url: `http://${backend.host}:${String(backend.port)}/`, host: hostOf(APP), connections: CONNECTIONS, threads: THREADS, seconds: WARM_UP_SECONDS });
  return backends;
}

/**
 * PAAS_BENCH_ROUTER_V8_DEFAULTS=1: the builtin plane is also measured in a second paasd run
 * as `node main.js` (V8's default young generation, without the launcher's flag), with its
 * own node-web, interleaved with the other targets: what the launcher's flag costs the router.
 */
const compareV8Defaults = (plane: Plane): boolean => plane === 'builtin' && process.env.PAAS_BENCH_ROUTER_V8_DEFAULTS === '1';

/** One plane's figures: paasd with that plane, the app at 1 and 3 backends, each beside a bare nginx. */
async function measurePlane(ctx: BenchContext, plane: Plane): Promise<Figure[]> {
  const figures: Figure[] = [];
  let routing: RoutingPaasd | undefined;
  let defaults: RoutingPaasd | undefined;
  try {
    routing = await startRouting(plane);
    if (compareV8Defaults(plane)) defaults = await startRouting(plane, process.env.PAAS_BENCH_ROUTER_V8_FLAGS?.split(' ').filter((flag) => flag !== '') ?? []);
    const workers = routerProcesses();
    for (const count of [1, 3]) {
      const backends = await scaleAndWarm(routing, count);
      if (defaults) await scaleAndWarm(defaults, count);
      const first = backends[0] as Backend;
      const nginxProcess = await startNginx(backends, workers);
      let results: Results;
      try {
        results = await interleaved(ctx, {
          plane: `http://127.0.0.1:${String(routing.paasd.routerPort)}/`,
          direct: `http://${first.host}:${String(first.port)}/`,
          nginx: `http://127.0.0.1:${String(nginxProcess.port)}/`,
          planeTls: `https://127.0.0.1:${String(routing.tlsPort)}/`,
          nginxTls: `https://127.0.0.1:${String(nginxProcess.tlsPort)}/`,
          ...(defaults ? { defaults: `http://127.0.0.1:${String(defaults.paasd.routerPort)}/`, defaultsTls: `https://127.0.0.1:${String(defaults.tlsPort)}/` } : {}),
        });
      } finally {
        await nginxProcess.stop();
      }
      const { plane: router, nginx, direct } = results;
      ctx.log(`${plane} plane, ${String(count)} backend(s): plane ${JSON.stringify(router)}, nginx ${JSON.stringify(nginx)}, direct ${JSON.stringify(direct)}`);
      ctx.log(`${plane} plane, ${String(count)} backend(s), HTTPS: plane ${JSON.stringify(results.planeTls)}, nginx ${JSON.stringify(results.nginxTls)}`);
      figures.push(...figuresFor(plane, count, router, direct, nginx, workers), ...figuresFor(plane, count, results.planeTls, direct, results.nginxTls, workers, true));
      if (defaults) {
        ctx.log(`${plane} plane (V8 defaults), ${String(count)} backend(s): ${JSON.stringify(results.defaults)}, HTTPS ${JSON.stringify(results.defaultsTls)}`);
        figures.push(...figuresFor(plane, count, results.defaults, direct, nginx, workers, false, true), ...figuresFor(plane, count, results.defaultsTls, direct, results.nginxTls, workers, true, true));
      }
    }
    return figures;
  } finally {
    await stopRouting(defaults);
    await stopRouting(routing);
  }
}

export const routerBenchmark: Benchmark = {
  name: 'router',
  description: 'wrk at 50 connections through each data plane (builtin, nginx), directly, and through a bare nginx, over HTTP and HTTPS; 1 and 3 backends; 100 apps routed',
  tools: ['wrk', 'nginx'],
  async run(ctx) {
    const figures: Figure[] = [];
    for (const plane of planes()) figures.push(...(await measurePlane(ctx, plane)));
    return figures;
  },
};
