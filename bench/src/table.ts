import type { Figure } from './figure.js';

function formatNumber(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '-';
  if (unit === 'ms') return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  if (unit === 'req/s' || unit === 'lines/s') return Math.round(value).toLocaleString('en-US');
  if (unit === 'MB') return value.toFixed(1);
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** A plain-text table, one row per figure: median [min–max], baseline, ratio, bar. */
export function renderTable(figures: readonly Figure[]): string {
  const header = ['benchmark', 'figure', 'runtime', 'median', 'min–max', 'unit', 'n', 'baseline', 'ratio', 'bar'];
  const rows = figures.map((f) => [
    f.benchmark,
    f.name,
    f.runtime,
    formatNumber(f.value.median, f.unit),
    `${formatNumber(f.value.min, f.unit)}–${formatNumber(f.value.max, f.unit)}`,
    f.unit,
    String(f.value.runs.length),
    f.baseline ? `${formatNumber(f.baseline.value.median, f.unit)} (${f.baseline.name})` : '',
    f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}×`,
    f.bar ? `${f.bar.met ? 'ok' : 'MISSED'}: ${f.bar.text}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const notes = figures.filter((f) => f.note !== undefined).map((f) => `  ${f.benchmark} / ${f.name} (${f.runtime}): ${f.note ?? ''}`);
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ...(notes.length > 0 ? ['', 'notes:', ...notes] : [])].join('\n');
}
