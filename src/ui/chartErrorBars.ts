import type { Chart, Plugin } from 'chart.js';

/** A bar dataset with an interval per bar ([low, high] in the value axis' units; null: none). */
export interface ErrorBarDataset {
  errorBars?: readonly ([number, number] | null)[];
}

const CAP_HALF_WIDTH_PX = 5;

/**
 * Draws each bar's interval as a vertical line with caps over the bars (Chart.js has no error bars of its own, and
 * this is all the intervals need).
 */
export const errorBarsPlugin: Plugin<'bar'> = {
  id: 'keypointBenchErrorBars',
  afterDatasetsDraw(chart: Chart<'bar'>) {
    const { ctx } = chart;
    const yScale = chart.scales.y;
    if (!yScale) return;
    chart.data.datasets.forEach((dataset, datasetIndex) => {
      const bars = (dataset as unknown as ErrorBarDataset).errorBars;
      const meta = chart.getDatasetMeta(datasetIndex);
      if (!bars || meta.hidden) return;
      ctx.save();
      ctx.strokeStyle = inkColour(chart);
      ctx.lineWidth = 1.5;
      meta.data.forEach((element, i) => {
        const bar = bars[i];
        if (!bar) return;
        const x = element.x;
        const top = yScale.getPixelForValue(bar[1]);
        const bottom = yScale.getPixelForValue(bar[0]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.moveTo(x - CAP_HALF_WIDTH_PX, top);
        ctx.lineTo(x + CAP_HALF_WIDTH_PX, top);
        ctx.moveTo(x - CAP_HALF_WIDTH_PX, bottom);
        ctx.lineTo(x + CAP_HALF_WIDTH_PX, bottom);
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

/** The chart's text colour: the bars are coloured per model, the intervals in the neutral ink of the axes. */
function inkColour(chart: Chart<'bar'>): string {
  const colour = chart.options.color;
  return typeof colour === 'string' ? colour : '#c8ccd4';
}
