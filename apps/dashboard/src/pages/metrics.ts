/** An app's metrics over 1, 6 or 24 hours, as charts with releases marked, kept current; and the twelve-factor card. */
import { apiPath, errorMessage } from '../api.js';
import { RANGES, chartData } from '../chart-data.js';
import { chartPanel, loadUPlot, type ChartPanel } from '../chart-view.js';
import { h } from '../dom.js';
import { every } from '../live.js';
import type { AppPageContext } from '../page.js';
import type { MetricsResource } from '../types.js';
import { twelveFactorCard } from './twelve-factor-card.js';

const POLL_MS = 10_000;

export function renderMetrics(context: AppPageContext): HTMLElement {
  let range: (typeof RANGES)[number] = RANGES[0];
  const status = h('p', { class: 'muted', 'aria-live': 'polite' }, 'Loading metrics…');
  const grid = h('div', { class: 'charts', 'aria-busy': 'true' });
  const panels = new Map<string, ChartPanel>();
  const buttons = RANGES.map((r) => {
    const button = h('button', { type: 'button', 'aria-pressed': r === range ? 'true' : 'false', 'data-range': r.since }, r.label);
    button.addEventListener('click', () => {
      range = r;
      for (const b of buttons) b.setAttribute('aria-pressed', b === button ? 'true' : 'false');
      poller.refresh();
    });
    return button;
  });

  const load = async (): Promise<void> => {
    try {
      const query = `?since=${encodeURIComponent(range.since)}&step=${encodeURIComponent(range.step)}`;
      const [UPlot, metrics] = await Promise.all([loadUPlot(), context.api.get<MetricsResource>(`${apiPath('apps', context.app, 'metrics')}${query}`)]);
      if (context.signal.aborted) return;
      const data = chartData(metrics);
      for (const chart of data.charts) {
        let panel = panels.get(chart.id);
        if (!panel) {
          panel = chartPanel(UPlot, chart.id);
          panels.set(chart.id, panel);
          grid.append(panel.element);
        }
        panel.update(data, chart);
      }
      grid.setAttribute('aria-busy', 'false');
      status.textContent = `Last ${range.label}, one point per ${range.step.replace('m', ' min')}; updated ${new Date().toLocaleTimeString()}.`;
      context.alert(undefined);
    } catch (error) {
      status.textContent = `Metrics could not be loaded: ${errorMessage(error)}`;
      throw error;
    }
  };
  const poller = every(POLL_MS, load, context.signal);
  const observer = new ResizeObserver(() => {
    for (const panel of panels.values()) panel.resize();
  });
  observer.observe(grid);
  context.signal.addEventListener('abort', () => {
    observer.disconnect();
    for (const panel of panels.values()) panel.destroy();
  });
  return h(
    'section',
    { 'aria-labelledby': 'metrics-heading' },
    h('div', { class: 'section-head' }, h('h2', { id: 'metrics-heading' }, 'Metrics'), h('div', { class: 'range-buttons', role: 'group', 'aria-label': 'Range' }, buttons)),
    status,
    grid,
    twelveFactorCard(context),
  );
}
