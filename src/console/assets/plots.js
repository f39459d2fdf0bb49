/* global uPlot */
// The plots, drawn with uPlot (served by strangler from node_modules/uplot: no CDN).
import { api } from './api.js';

const plots = new Map();

function widthOf(container) {
  return Math.max(container.clientWidth || 0, 280);
}

/** Draws, or feeds new data to, the uPlot in `containerId`. */
export function plot(containerId, series, { colors = ['#1f5fad', '#b3261e'], yLabel = '' } = {}) {
  const container = document.getElementById(containerId);
  if (!container || typeof uPlot === 'undefined') return;
  const existing = plots.get(containerId);
  if (existing && existing.labels === series.labels.join()) {
    existing.chart.setData(series.data);
    return;
  }
  existing?.chart.destroy();
  const chart = new uPlot(
    {
      width: widthOf(container),
      height: 200,
      scales: { x: { time: true } },
      axes: [{}, { label: yLabel }],
      series: [
        {},
        ...series.labels.map((label, i) => ({
          label,
          stroke: colors[i % colors.length],
          width: 2,
          points: { show: series.data[0].length < 40 },
        })),
      ],
    },
    series.data,
    container,
  );
  plots.set(containerId, { chart, labels: series.labels.join() });
}

export async function refreshPlots() {
  const [throughput, gaps] = await Promise.all([
    api('/api/console/throughput'),
    api('/api/console/gaps/history'),
  ]);
  plot('plot-throughput', throughput, { yLabel: 'docs/s' });
  plot('plot-gaps', gaps, { colors: ['#8a5a00', '#b3261e'], yLabel: 'gaps' });
}

window.addEventListener('resize', () => {
  for (const [id, { chart }] of plots) {
    const container = document.getElementById(id);
    if (container) chart.setSize({ width: widthOf(container), height: 200 });
  }
});
