/** What the Metrics page draws, from the API's metrics: pure, so it is tested without a browser. */
import type { MetricsPoint, MetricsResource } from './types.js';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

export interface Chart {
  readonly id: 'requests' | 'latency' | 'memory' | 'cpu';
  readonly title: string;
  readonly unit: string;
  readonly series: readonly ChartSeries[];
  /** The chart in words, shown under it (and read by screen readers). */
  readonly summary: string;
}

export interface ChartData {
  /** Step starts, Unix seconds (uPlot's x values). */
  readonly times: readonly number[];
  /** The window shown, Unix seconds: the time axis spans it even where no step has data yet. */
  readonly start: number;
  readonly end: number;
  readonly charts: readonly Chart[];
  /** Releases made in the window, marked on the time axis. */
  readonly releases: readonly { readonly label: string; readonly at: number }[];
}

/** The ranges the page offers, and the step each is drawn with. */
export const RANGES = [
  { label: '1 h', since: '1h', step: '1m' },
  { label: '6 h', since: '6h', step: '5m' },
  { label: '24 h', since: '24h', step: '15m' },
] as const;

const CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;

const most = (values: readonly (number | null)[]): number => Math.max(0, ...values.filter((v): v is number => v !== null));

function perProcess(points: readonly MetricsPoint[], pick: (p: MetricsPoint) => Readonly<Record<string, number>>): ChartSeries[] {
  const names = [...new Set(points.flatMap((p) => Object.keys(pick(p))))].sort();
  return names.map((name) => ({ label: name, values: points.map((p) => pick(p)[name] ?? null) }));
}

export function chartData(metrics: MetricsResource): ChartData {
  const points = metrics.points;
  const total = points.reduce((sum, p) => sum + p.requests, 0);
  const byClass = CLASSES.map((cls) => ({ label: cls, values: points.map((p) => p.statuses[cls] ?? 0) }));
  const classText = byClass.map((s) => [s.label, s.values.reduce((a, b) => (a ?? 0) + (b ?? 0), 0) ?? 0] as const).filter(([, n]) => n > 0).map(([label, n]) => `${label} ${String(n)}`).join(' · ');
  const latency = (['p50Ms', 'p95Ms', 'p99Ms'] as const).map((key) => ({ label: key.slice(0, 3), values: points.map((p) => p[key]) }));
  const memory = perProcess(points, (p) => p.memoryMb);
  const cpu = perProcess(points, (p) => p.cpuPercent);
  const peak = (series: readonly ChartSeries[], unit: string): string =>
    series.length === 0 ? 'No process samples in this range.' : series.map((s) => `${s.label} up to ${String(most(s.values))} ${unit}`).join(' · ');
  const events = points.reduce((sum, p) => ({ restarts: sum.restarts + p.restarts, crashes: sum.crashes + p.crashes }), { restarts: 0, crashes: 0 });
  return {
    times: points.map((p) => Date.parse(p.time) / 1000),
    start: Date.parse(metrics.since) / 1000,
    end: Date.parse(metrics.until) / 1000,
    charts: [
      { id: 'requests', title: 'Requests', unit: 'per step', series: byClass, summary: `${String(total)} requests${classText ? ` (${classText})` : ''}; ${String(events.restarts)} restarts, ${String(events.crashes)} crashes.` },
      { id: 'latency', title: 'Response time', unit: 'ms', series: latency, summary: total === 0 ? 'No requests in this range.' : `p95 up to ${String(most(latency[1]?.values ?? []))} ms, p99 up to ${String(most(latency[2]?.values ?? []))} ms.` },
      { id: 'memory', title: 'Memory', unit: 'MB', series: memory, summary: peak(memory, 'MB') },
      { id: 'cpu', title: 'CPU', unit: '% of a core', series: cpu, summary: peak(cpu, '%') },
    ],
    releases: metrics.releases.map((r) => ({ label: `v${String(r.version)}`, at: Date.parse(r.created_at) / 1000 })),
  };
}
