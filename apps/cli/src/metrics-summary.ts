import type { MetricsPoint, MetricsResource } from '@paas/core';

import { formatKeyValues } from './table.js';

const BARS = '▁▂▃▄▅▆▇█';

/** One character per value, scaled to the largest. */
export function sparkline(values: readonly number[]): string {
  const most = Math.max(0, ...values);
  return values.map((v) => (most === 0 ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.floor((v / most) * (BARS.length - 1)))])).join('');
}

const ms = (value: number | null): string => (value === null ? '–' : `${String(value)} ms`);
const counts = (map: Readonly<Record<string, number | undefined>>): string =>
  Object.entries(map).filter(([, n]) => (n ?? 0) > 0).sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key} ${String(n)}`).join(' · ');

/**
 * `paas metrics`: `whole` is the window as one step (its percentiles are the window's),
 * `series` the same window in steps, for the sparklines.
 */
export function formatMetricsSummary(whole: MetricsPoint | undefined, series: MetricsResource): string[] {
  if (!whole) return ['No metrics in this window.'];
  const processes = Object.keys(whole.memoryMb).sort();
  const perProcess = (f: (name: string) => string): string => (processes.length === 0 ? 'no samples' : processes.map(f).join(' · '));
  const requests = series.points.map((p) => p.requests);
  const releases = series.releases.map((r) => `v${String(r.version)} ${r.created_at.slice(11, 16)}`).join(' · ');
  return formatKeyValues([
    ['Requests', `${String(whole.requests)}${whole.requests > 0 ? ` (${counts(whole.statuses)})` : ''}`],
    ['Per step', `${sparkline(requests)}  (${String(series.step_seconds / 60)} min steps, most ${String(Math.max(0, ...requests))})`],
    ['Errors', counts(whole.errors) || 'none'],
    ['Response time', `p50 ${ms(whole.p50Ms)} · p95 ${ms(whole.p95Ms)} · p99 ${ms(whole.p99Ms)}`],
    ['Memory', perProcess((name) => `${name} ${String(whole.memoryMb[name])} MB (max ${String(whole.memoryMaxMb[name])} MB)`)],
    ['CPU', perProcess((name) => `${name} ${String(whole.cpuPercent[name])} %`)],
    ['Events', `${String(whole.restarts)} restarts · ${String(whole.crashes)} crashes · ${String(whole.r14)} R14 · ${String(whole.r12)} R12`],
    ['Releases', releases || 'none in this window'],
  ]);
}
