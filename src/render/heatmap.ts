import type { Canvas2D } from './drawPoses';
import { wrapText, type TextMeasure } from './metricsReport';
import { REPORT_STYLE } from './reportPage';

/**
 * A keypoint × model table of coloured cells with the value printed in each: readable at 7 models × 17 keypoints,
 * where 119 thin bars are not. Column labels (model names) wrap onto up to three lines instead of being cut.
 */
export interface HeatmapSpec {
  rowLabels: readonly string[];
  columnLabels: readonly string[];
  /** values[row][column], null where not measured. */
  values: readonly (readonly (number | null)[])[];
  /** The value that gets the strongest colour (the weakest is 0). */
  maxValue: number;
  /** true: high values are good (green); false: high values are bad (red). */
  higherIsBetter: boolean;
  format: (value: number) => string;
}

const H = { rowLabelPx: 120, cellWidthPx: 96, cellHeightPx: 22, headerLinePx: 16, maxHeaderLines: 3, paddingPx: 6 } as const;

export interface HeatmapLayout {
  widthPx: number;
  heightPx: number;
  headerLines: string[][];
}

export function layoutHeatmap(measure: TextMeasure, spec: HeatmapSpec): HeatmapLayout {
  measure.font = REPORT_STYLE.boldTextFont.replace('14px', '12px');
  const headerLines = spec.columnLabels.map((label) => {
    const lines = wrapText(measure, label, H.cellWidthPx - H.paddingPx);
    return lines.length <= H.maxHeaderLines ? lines : [...lines.slice(0, H.maxHeaderLines - 1), lines.slice(H.maxHeaderLines - 1).join(' ')];
  });
  const headerHeight = Math.max(1, ...headerLines.map((l) => l.length)) * H.headerLinePx + H.paddingPx;
  return { widthPx: H.rowLabelPx + spec.columnLabels.length * H.cellWidthPx, heightPx: headerHeight + spec.rowLabels.length * H.cellHeightPx + H.paddingPx, headerLines };
}

/** Cell colour: from the page background (0) to green or red (maxValue), so the eye finds the extremes. */
function cellColour(value: number, spec: HeatmapSpec): string {
  const t = Math.max(0, Math.min(1, value / (spec.maxValue || 1)));
  const good = spec.higherIsBetter ? t : 1 - t;
  // Red (bad) through amber to green (good), darkened enough that white text stays readable.
  const hue = Math.round(good * 120);
  return `hsl(${hue} 55% ${28 + 8 * good}%)`;
}

export function paintHeatmap(ctx: Canvas2D, spec: HeatmapSpec): HeatmapLayout {
  const layout = layoutHeatmap(ctx, spec);
  ctx.fillStyle = REPORT_STYLE.backgroundColour;
  ctx.fillRect(0, 0, layout.widthPx, layout.heightPx);
  ctx.textBaseline = 'top';
  const headerHeight = layout.heightPx - spec.rowLabels.length * H.cellHeightPx - H.paddingPx;
  ctx.font = REPORT_STYLE.boldTextFont.replace('14px', '12px');
  ctx.fillStyle = REPORT_STYLE.titleColour;
  layout.headerLines.forEach((lines, c) => {
    lines.forEach((line, k) => ctx.fillText(line, H.rowLabelPx + c * H.cellWidthPx + H.paddingPx / 2, H.paddingPx / 2 + k * H.headerLinePx));
  });
  ctx.font = REPORT_STYLE.textFont.replace('14px', '12px');
  spec.rowLabels.forEach((label, r) => {
    const y = headerHeight + r * H.cellHeightPx;
    ctx.fillStyle = REPORT_STYLE.textColour;
    ctx.fillText(label, H.paddingPx / 2, y + 5);
    spec.columnLabels.forEach((_, c) => {
      const value = spec.values[r]?.[c] ?? null;
      const x = H.rowLabelPx + c * H.cellWidthPx;
      ctx.fillStyle = value === null ? '#23262d' : cellColour(value, spec);
      ctx.fillRect(x + 1, y + 1, H.cellWidthPx - 2, H.cellHeightPx - 2);
      ctx.fillStyle = REPORT_STYLE.titleColour;
      ctx.fillText(value === null ? '—' : spec.format(value), x + H.paddingPx, y + 5);
    });
  });
  return layout;
}
