import type { Canvas2D } from './drawPoses';

/** What the metrics PNG shows: a table, the verdict, and chart images, with the settings that produced them. */
export interface MetricsReportSpec {
  title: string;
  /** e.g. ["Protocol: person crops (25% margin)", "Backend: wasm", "PCK α 0.2 of bbox", "Date …"]. */
  facts: string[];
  table: { header: string[]; rows: { cells: string[]; colour: string }[] };
  /** One line per column: "PASS · AP 0.712 ≥ 0.600 · …". */
  verdictLines: { text: string; pass: boolean | null; colour: string }[];
  charts: { image: CanvasImageSource; widthPx: number; heightPx: number }[];
}

const L = { marginPx: 24, lineHeightPx: 22, widthPx: 1200, chartGapPx: 12 } as const;

export function metricsReportSizePx(spec: MetricsReportSpec): { width: number; height: number } {
  const textLines = 2 + spec.facts.length + 1 + (spec.table.rows.length + 1) + 1 + 1 + spec.verdictLines.length;
  const chartsHeight = spec.charts.reduce((sum, c) => sum + (c.heightPx * (L.widthPx - 2 * L.marginPx)) / c.widthPx + L.chartGapPx, 0);
  return { width: L.widthPx, height: Math.ceil(2 * L.marginPx + textLines * L.lineHeightPx + chartsHeight) };
}

/** Paints the metrics report: text is painted, never parsed as markup. */
export function paintMetricsReport(ctx: Canvas2D, spec: MetricsReportSpec): void {
  const size = metricsReportSizePx(spec);
  ctx.fillStyle = '#15171c';
  ctx.fillRect(0, 0, size.width, size.height);
  ctx.textBaseline = 'top';
  let y = L.marginPx;
  ctx.fillStyle = '#ffffff';
  ctx.font = '600 22px system-ui, sans-serif';
  ctx.fillText(spec.title, L.marginPx, y);
  y += 2 * L.lineHeightPx;
  ctx.font = '14px system-ui, sans-serif';
  ctx.fillStyle = '#c8ccd4';
  for (const fact of spec.facts) {
    ctx.fillText(fact, L.marginPx, y);
    y += L.lineHeightPx;
  }
  y += L.lineHeightPx;
  const columnCount = spec.table.header.length;
  const firstColumnPx = 300;
  const otherColumnPx = (L.widthPx - 2 * L.marginPx - firstColumnPx) / Math.max(1, columnCount - 1);
  const xOf = (i: number) => L.marginPx + (i === 0 ? 0 : firstColumnPx + (i - 1) * otherColumnPx);
  ctx.font = '600 14px system-ui, sans-serif';
  ctx.fillStyle = '#9aa3b2';
  spec.table.header.forEach((h, i) => ctx.fillText(h, xOf(i), y));
  y += L.lineHeightPx;
  ctx.font = '14px system-ui, sans-serif';
  for (const row of spec.table.rows) {
    ctx.fillStyle = row.colour;
    ctx.fillRect(L.marginPx, y + 3, 10, 10);
    ctx.fillStyle = '#ffffff';
    row.cells.forEach((cell, i) => ctx.fillText(cell, xOf(i) + (i === 0 ? 16 : 0), y));
    y += L.lineHeightPx;
  }
  y += L.lineHeightPx;
  ctx.font = '600 15px system-ui, sans-serif';
  ctx.fillStyle = '#ffffff';
  ctx.fillText('Verdict', L.marginPx, y);
  y += L.lineHeightPx;
  ctx.font = '14px system-ui, sans-serif';
  for (const line of spec.verdictLines) {
    ctx.fillStyle = line.pass === true ? '#34c759' : line.pass === false ? '#ff6b6b' : '#c8ccd4';
    ctx.fillText(line.text, L.marginPx, y);
    y += L.lineHeightPx;
  }
  for (const chart of spec.charts) {
    const width = L.widthPx - 2 * L.marginPx;
    const height = (chart.heightPx * width) / chart.widthPx;
    ctx.drawImage(chart.image, L.marginPx, y, width, height);
    y += height + L.chartGapPx;
  }
}

export async function renderMetricsReportPng(spec: MetricsReportSpec): Promise<Blob> {
  const size = metricsReportSizePx(spec);
  const canvas = new OffscreenCanvas(size.width, size.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('cannot create a 2D canvas for the metrics report');
  paintMetricsReport(ctx, spec);
  return canvas.convertToBlob({ type: 'image/png' });
}
