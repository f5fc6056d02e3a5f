import { formatImageLatency, formatMs } from '../core/latencyText';
import { fitImage } from '../core/geometry';
import { drawErrorLines, drawGroundTruthLayer, type ErrorLine, type GroundTruthLayer } from './drawGroundTruth';
import { drawImage, drawPoseLayer, pointRadiusFor, type Canvas2D, type PoseLayer } from './drawPoses';
import { REPORT_STYLE, beginReportPage, verdictColour } from './reportPage';

/** Layout of an exported comparison, in canvas pixels. */
export const SCREENSHOT_LAYOUT = {
  marginPx: 24,
  gapPx: 12,
  headerHeightPx: 74,
  legendRowHeightPx: 26,
  rowTitleHeightPx: 24,
  verdictLineHeightPx: 22,
  cellLabelHeightPx: 22,
  /** Single-image view: one large cell per model. */
  singleCellWidthPx: 560,
  /** Grid view: many smaller cells. */
  gridCellWidthPx: 300,
  minWidthPx: 720,
} as const;

export interface ScreenshotColumn {
  label: string;
  colour: string;
  /** Shown in the legend: median model time per image over the exported images, or null when none finished. */
  medianImageLatencyMs: number | null;
}

export interface ScreenshotCell {
  layer: PoseLayer | null;
  groundTruth?: GroundTruthLayer | null;
  errorLines?: readonly ErrorLine[];
  /** Model time for this image (all its inferences) and how many inferences that was; null when not run. */
  imageLatencyMs: number | null;
  inferences: number | null;
  /** Replaces the latency text, e.g. "error" or "running". */
  note?: string;
}

export interface ScreenshotRow {
  imageName: string;
  image: CanvasImageSource;
  /** Size of `image` itself (it may be a thumbnail). */
  sourceSizePx: { width: number; height: number };
  /** Original image size: the space keypoints are in. */
  imageSizePx: { width: number; height: number };
  cells: ScreenshotCell[];
}

export interface ScreenshotSpec {
  title: string;
  columns: ScreenshotColumn[];
  rows: ScreenshotRow[];
  backendLabel: string;
  confidenceThreshold: number;
  createdAt: Date;
  cellWidthPx: number;
  /** Extra facts line, e.g. the evaluation protocol. */
  note?: string;
  /** Titled blocks under the legend: the verdict (one line per column) and the latest benchmark. */
  sections?: ScreenshotSection[];
}

export interface ScreenshotSection {
  title: string;
  /** `pass` colours the line: green, red, or neutral when null. */
  lines: { text: string; pass: boolean | null }[];
}

/** Line counts of the sections that are drawn (empty sections are skipped). */
export function sectionLineCounts(sections: readonly ScreenshotSection[] | undefined): number[] {
  return (sections ?? []).map((s) => s.lines.length).filter((n) => n > 0);
}

function cellHeightFor(row: Pick<ScreenshotRow, 'imageSizePx'>, cellWidthPx: number): number {
  return Math.round((cellWidthPx * row.imageSizePx.height) / row.imageSizePx.width);
}

/** Canvas size of an export; pure so tests can check a downloaded PNG against it. */
export function screenshotSizePx(
  columnCount: number,
  rows: readonly Pick<ScreenshotRow, 'imageSizePx'>[],
  cellWidthPx: number,
  /** Lines per titled section (a single number: one section), e.g. the verdict's one line per column. */
  sectionLines: number | readonly number[] = 0,
): { width: number; height: number } {
  const L = SCREENSHOT_LAYOUT;
  const columns = Math.max(1, columnCount);
  const legendRows = Math.ceil(columns / 3);
  const width = Math.max(L.minWidthPx, 2 * L.marginPx + columns * cellWidthPx + (columns - 1) * L.gapPx);
  let height = L.marginPx + L.headerHeightPx + legendRows * L.legendRowHeightPx + L.gapPx;
  for (const lineCount of typeof sectionLines === 'number' ? [sectionLines] : sectionLines) {
    if (lineCount > 0) height += (lineCount + 1) * L.verdictLineHeightPx + L.gapPx;
  }
  for (const row of rows) height += L.rowTitleHeightPx + cellHeightFor(row, cellWidthPx) + L.cellLabelHeightPx + L.gapPx;
  return { width, height: height + L.marginPx - L.gapPx };
}


/** Draws text clipped to a width with an ellipsis; text is painted, never parsed as markup. */
function fitText(ctx: Canvas2D, text: string, maxWidthPx: number): string {
  if (ctx.measureText(text).width <= maxWidthPx) return text;
  let end = text.length;
  while (end > 1 && ctx.measureText(text.slice(0, end) + '…').width > maxWidthPx) end--;
  return text.slice(0, end) + '…';
}

/**
 * Paints a comparison (rows = images, columns = models) with a legend into `ctx`, using the same
 * pose drawing as the screen. `ctx`'s canvas must have `screenshotSizePx(...)`.
 */
export function paintScreenshot(ctx: Canvas2D, spec: ScreenshotSpec): void {
  const L = SCREENSHOT_LAYOUT;
  const size = screenshotSizePx(spec.columns.length, spec.rows, spec.cellWidthPx, sectionLineCounts(spec.sections));
  beginReportPage(ctx, size);
  let y = L.marginPx;
  ctx.fillText(fitText(ctx, spec.title, size.width - 2 * L.marginPx), L.marginPx, y);
  ctx.font = REPORT_STYLE.textFont;
  ctx.fillStyle = REPORT_STYLE.textColour;
  const facts = [
    `Backend: ${spec.backendLabel}`,
    `Confidence threshold: ${spec.confidenceThreshold.toFixed(2)}`,
    `Date: ${spec.createdAt.toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    `${spec.rows.length} image${spec.rows.length === 1 ? '' : 's'}`,
    ...(spec.note ? [spec.note] : []),
  ].join('   ·   ');
  ctx.fillText(fitText(ctx, facts, size.width - 2 * L.marginPx), L.marginPx, y + 32);
  y += L.headerHeightPx;

  const legendColumnWidthPx = (size.width - 2 * L.marginPx) / 3;
  spec.columns.forEach((column, index) => {
    const x = L.marginPx + (index % 3) * legendColumnWidthPx;
    const rowY = y + Math.floor(index / 3) * L.legendRowHeightPx;
    ctx.fillStyle = column.colour;
    ctx.fillRect(x, rowY + 3, 14, 14);
    ctx.fillStyle = REPORT_STYLE.titleColour;
    ctx.font = REPORT_STYLE.textFont;
    const text = column.medianImageLatencyMs === null ? column.label : `${column.label} — median ${formatMs(column.medianImageLatencyMs)}/image`;
    ctx.fillText(fitText(ctx, text, legendColumnWidthPx - 24), x + 20, rowY + 2);
  });
  y += Math.ceil(Math.max(1, spec.columns.length) / 3) * L.legendRowHeightPx + L.gapPx;

  for (const section of spec.sections ?? []) {
    if (section.lines.length === 0) continue;
    ctx.font = REPORT_STYLE.headingFont;
    ctx.fillStyle = REPORT_STYLE.titleColour;
    ctx.fillText(section.title, L.marginPx, y + 2);
    y += L.verdictLineHeightPx;
    ctx.font = REPORT_STYLE.textFont;
    for (const line of section.lines) {
      ctx.fillStyle = verdictColour(line.pass);
      ctx.fillText(fitText(ctx, line.text, size.width - 2 * L.marginPx), L.marginPx, y + 2);
      y += L.verdictLineHeightPx;
    }
    y += L.gapPx;
  }

  for (const row of spec.rows) {
    ctx.fillStyle = REPORT_STYLE.titleColour;
    ctx.font = REPORT_STYLE.headingFont;
    ctx.fillText(fitText(ctx, row.imageName, size.width - 2 * L.marginPx), L.marginPx, y + 2);
    y += L.rowTitleHeightPx;
    const cellHeightPx = cellHeightFor(row, spec.cellWidthPx);
    row.cells.forEach((cell, index) => {
      const x = L.marginPx + index * (spec.cellWidthPx + L.gapPx);
      const box = { width: spec.cellWidthPx, height: cellHeightPx };
      const transform = fitImage(row.imageSizePx, box);
      ctx.save();
      ctx.translate(x, y);
      ctx.beginPath();
      ctx.rect(0, 0, box.width, box.height);
      ctx.clip();
      drawImage(ctx, row.image, row.sourceSizePx, row.imageSizePx, transform);
      const radius = pointRadiusFor(box.width, box.height);
      if (cell.groundTruth) drawGroundTruthLayer(ctx, cell.groundTruth, transform, radius);
      if (cell.errorLines && cell.errorLines.length > 0) drawErrorLines(ctx, cell.errorLines, transform, radius);
      if (cell.layer) drawPoseLayer(ctx, cell.layer, { transform, minScore: spec.confidenceThreshold, pointRadiusPx: radius });
      ctx.restore();
      const column = spec.columns[index];
      ctx.fillStyle = column?.colour ?? REPORT_STYLE.titleColour;
      ctx.fillRect(x, y + cellHeightPx + 6, 10, 10);
      ctx.fillStyle = '#e6e8ec';
      ctx.font = '13px system-ui, sans-serif';
      const label = `${column?.label ?? ''} · ${cell.note ?? formatImageLatency(cell.imageLatencyMs, cell.inferences)}`;
      ctx.fillText(fitText(ctx, label, spec.cellWidthPx - 16), x + 16, y + cellHeightPx + 4);
    });
    y += cellHeightPx + L.cellLabelHeightPx + L.gapPx;
  }
}

/** Renders the comparison to a PNG blob. */
export async function renderScreenshotPng(spec: ScreenshotSpec): Promise<Blob> {
  const size = screenshotSizePx(spec.columns.length, spec.rows, spec.cellWidthPx, sectionLineCounts(spec.sections));
  const canvas = new OffscreenCanvas(size.width, size.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('cannot create a 2D canvas for the screenshot');
  paintScreenshot(ctx, spec);
  return canvas.convertToBlob({ type: 'image/png' });
}
