/**
 * Time-series charts drawn by uPlot (bundled with the dashboard, served from /assets/vendor/:
 * canvas drawing, no inline script or style attribute, so the page's CSP stays strict).
 * Loaded on first use, so other pages never fetch it.
 */
import type uPlot from 'uplot';

import type { Chart, ChartData } from './chart-data.js';
import { h } from './dom.js';

type UPlotClass = typeof uPlot;

/** A variable, so TypeScript leaves the path alone: it is served by paasd, not compiled here. */
const UPLOT_MODULE = '/assets/vendor/uplot.js';
let loading: Promise<UPlotClass> | undefined;

export function loadUPlot(): Promise<UPlotClass> {
  loading ??= (import(UPLOT_MODULE) as Promise<{ default: UPlotClass }>).then((module) => module.default);
  return loading;
}

const COLORS = ['#2f8f5b', '#4b7bec', '#e0a030', '#d9443a', '#8e5bd0', '#20a4b0', '#b0508a', '#7a8a99'];

const cssVar = (name: string, fallback: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

/** Draws each release as a dashed vertical line with its version, on the canvas. */
function releaseMarks(releases: ChartData['releases']): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u: uPlot) => {
          const { ctx } = u;
          const { top, height } = u.bbox;
          ctx.save();
          ctx.strokeStyle = cssVar('--accent', '#4b3fc9');
          ctx.fillStyle = ctx.strokeStyle;
          ctx.setLineDash([4, 4]);
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.font = `${String(11 * devicePixelRatio)}px sans-serif`;
          for (const release of releases) {
            const x = Math.round(u.valToPos(release.at, 'x', true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            ctx.fillText(release.label, x + 3 * devicePixelRatio, top + 12 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}

export interface ChartPanel {
  readonly element: HTMLElement;
  update(data: ChartData, chart: Chart): void;
  resize(width: number): void;
  destroy(): void;
}

const HEIGHT = 180;

/** One chart with its title and summary; rebuilt when its series change, else given new data. */
export function chartPanel(UPlot: UPlotClass, id: string, width: number): ChartPanel {
  const title = h('h3', { id: `chart-${id}-title` });
  const summary = h('p', { class: 'muted chart-summary', 'data-chart-summary': id });
  const canvasHost = h('div', { class: 'chart-canvas' });
  const element = h('figure', { class: 'chart', 'data-chart': id, 'aria-labelledby': `chart-${id}-title` }, title, canvasHost, h('figcaption', null, summary));
  let plot: uPlot | undefined;
  let shape = '';
  let currentWidth = width;
  return {
    element,
    update(data, chart) {
      title.textContent = `${chart.title} (${chart.unit})`;
      summary.textContent = chart.summary;
      const values = [data.times as number[], ...chart.series.map((s) => s.values as (number | null)[])];
      const nextShape = `${chart.series.map((s) => s.label).join(',')}|${data.releases.map((r) => `${r.label}@${String(r.at)}`).join(',')}`;
      if (plot && nextShape === shape) {
        plot.setData(values as uPlot.AlignedData);
        return;
      }
      plot?.destroy();
      shape = nextShape;
      const axis = { stroke: cssVar('--muted', '#5d6675'), grid: { stroke: cssVar('--line', '#d9dde4'), width: 1 }, ticks: { stroke: cssVar('--line', '#d9dde4') } };
      plot = new UPlot({
        width: currentWidth,
        height: HEIGHT,
        series: [{}, ...chart.series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length] ?? '#888', width: 2, spanGaps: false }))],
        axes: [axis, { ...axis, size: 60 }],
        scales: { y: { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.1 : 1] } },
        plugins: [releaseMarks(data.releases)],
        legend: { show: true },
      }, values as uPlot.AlignedData, canvasHost);
    },
    resize(next) {
      currentWidth = next;
      plot?.setSize({ width: next, height: HEIGHT });
    },
    destroy() {
      plot?.destroy();
    },
  };
}
