import type { Canvas2D } from './drawPoses';
import { REPORT_STYLE, beginReportPage, verdictColour } from './reportPage';

/** What the metrics PNG shows: a table, the verdict, and chart images, with the settings that produced them. */
export interface MetricsReportSpec {
  title: string;
  /** e.g. ["Protocol: person crops (25% margin)", "Backend: wasm", "PCK α 0.2 of bbox", "Date …"]. */
  facts: string[];
  table: { header: string[]; rows: { cells: string[]; colour: string }[] };
  /** Lines under the table: the note on published figures and what each was measured on. */
  notes: string[];
  /** One line per column: "PASS · AP 0.712 ≥ 0.600 · …". */
  verdictLines: { text: string; pass: boolean | null; colour: string }[];
  charts: { image: CanvasImageSource; widthPx: number; heightPx: number }[];
  /** Where the metrics came from, one line each (`provenanceLines` of core/evaluation/provenance.ts). */
  provenance: string[];
}

const L = { marginPx: 24, lineHeightPx: 22, widthPx: 1200, chartGapPx: 12 } as const;

export function metricsReportSizePx(spec: MetricsReportSpec): { width: number; height: number } {
  const provenanceLines = spec.provenance.length > 0 ? 1 + 1 + spec.provenance.length : 0;
  const textLines = 2 + spec.facts.length + 1 + (spec.table.rows.length + 1) + spec.notes.length + 1 + 1 + spec.verdictLines.length + provenanceLines;
  const chartsHeight = spec.charts.reduce((sum, c) => sum + (c.heightPx * (L.widthPx - 2 * L.marginPx)) / c.widthPx + L.chartGapPx, 0);
  return { width: L.widthPx, height: Math.ceil(2 * L.marginPx + textLines * L.lineHeightPx + chartsHeight) };
}

/** Paints the metrics report: text is painted, never parsed as markup. */
export function paintMetricsReport(ctx: Canvas2D, spec: MetricsReportSpec): void {
  const size = metricsReportSizePx(spec);
  beginReportPage(ctx, size);
  let y = L.marginPx;
  ctx.fillText(spec.title, L.marginPx, y);
  y += 2 * L.lineHeightPx;
  ctx.font = REPORT_STYLE.textFont;
  ctx.fillStyle = REPORT_STYLE.textColour;
  for (const fact of spec.facts) {
    ctx.fillText(fact, L.marginPx, y);
    y += L.lineHeightPx;
  }
  y += L.lineHeightPx;
  const columnCount = spec.table.header.length;
  const firstColumnPx = 300;
  const otherColumnPx = (L.widthPx - 2 * L.marginPx - firstColumnPx) / Math.max(1, columnCount - 1);
  const xOf = (i: number) => L.marginPx + (i === 0 ? 0 : firstColumnPx + (i - 1) * otherColumnPx);
  ctx.font = REPORT_STYLE.boldTextFont;
  ctx.fillStyle = '#9aa3b2';
  spec.table.header.forEach((h, i) => ctx.fillText(h, xOf(i), y));
  y += L.lineHeightPx;
  ctx.font = REPORT_STYLE.textFont;
  for (const row of spec.table.rows) {
    ctx.fillStyle = row.colour;
    ctx.fillRect(L.marginPx, y + 3, 10, 10);
    ctx.fillStyle = REPORT_STYLE.titleColour;
    row.cells.forEach((cell, i) => ctx.fillText(cell, xOf(i) + (i === 0 ? 16 : 0), y));
    y += L.lineHeightPx;
  }
  ctx.fillStyle = REPORT_STYLE.textColour;
  for (const note of spec.notes) {
    ctx.fillText(note, L.marginPx, y);
    y += L.lineHeightPx;
  }
  /** A blank line, a heading, then one line of text per entry in its own colour. */
  const section = (heading: string, lines: readonly { text: string; colour: string }[]) => {
    y += L.lineHeightPx;
    ctx.font = REPORT_STYLE.headingFont;
    ctx.fillStyle = REPORT_STYLE.titleColour;
    ctx.fillText(heading, L.marginPx, y);
    y += L.lineHeightPx;
    ctx.font = REPORT_STYLE.textFont;
    for (const line of lines) {
      ctx.fillStyle = line.colour;
      ctx.fillText(line.text, L.marginPx, y);
      y += L.lineHeightPx;
    }
  };
  section('Verdict', spec.verdictLines.map((line) => ({ text: line.text, colour: verdictColour(line.pass) })));
  if (spec.provenance.length > 0) section('Provenance', spec.provenance.map((text) => ({ text, colour: REPORT_STYLE.textColour })));
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
