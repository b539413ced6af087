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
      // Under the series: a release made in the minute of a lone point must not hide it.
      drawAxes: [
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
  /** Fits the chart to its panel's width again. */
  resize(): void;
  destroy(): void;
}

const HEIGHT = 180;

/** One chart with its title and summary; rebuilt when its series change, else given new data. Call update() once it is in the page. */
export function chartPanel(UPlot: UPlotClass, id: string): ChartPanel {
  const title = h('h3', { id: `chart-${id}-title` });
  const summary = h('p', { class: 'muted chart-summary', 'data-chart-summary': id });
  const canvasHost = h('div', { class: 'chart-canvas' });
  const element = h('figure', { class: 'chart', 'data-chart': id, 'aria-labelledby': `chart-${id}-title` }, title, canvasHost, h('figcaption', null, summary));
  let plot: uPlot | undefined;
  let shape = '';
  /** The time axis's span, read by the scale on every redraw. */
  let span: [number, number] = [0, 1];
  /** The panel's inner width: the chart fills it. */
  const width = (): number => Math.max(200, canvasHost.clientWidth || 600);
  return {
    element,
    update(data, chart) {
      title.textContent = `${chart.title} (${chart.unit})`;
      summary.textContent = chart.summary;
      span = [data.start, data.end];
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
        width: width(),
        height: HEIGHT,
        series: [{}, ...chart.series.map((s, i) => {
          const color = COLORS[i % COLORS.length] ?? '#888';
          // A value standing alone (its neighbours empty or zero) would be no line at all: it is drawn as a point.
          const lone = (self: uPlot, seriesIdx: number): number[] => {
            const ys = (self.data[seriesIdx] ?? []) as (number | null | undefined)[];
            const some = (y: number | null | undefined): boolean => y !== null && y !== undefined && y !== 0;
            const found = ys.flatMap((y, j) => (some(y) && !some(ys[j - 1]) && !some(ys[j + 1]) ? [j] : []));
            return found;
          };
          return { label: s.label, stroke: color, width: 2, spanGaps: false, points: { show: true, size: 7, fill: color, stroke: color, filter: lone } };
        })],
        axes: [axis, { ...axis, size: 60 }],
        scales: { x: { time: true, range: (): uPlot.Range.MinMax => span }, y: { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.1 : 1] } },
        plugins: [releaseMarks(data.releases)],
        legend: { show: true },
      }, values as uPlot.AlignedData, canvasHost);
    },
    resize() {
      plot?.setSize({ width: width(), height: HEIGHT });
    },
    destroy() {
      plot?.destroy();
    },
  };
}
