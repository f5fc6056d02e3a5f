import type { Canvas2D } from './drawPoses';
import { REPORT_STYLE, beginReportPage, verdictColour } from './reportPage';
import { wrapText as wrapWords } from './screenshotLayout';

/** What the metrics PNG shows: a table, the verdict, and chart images, with the settings that produced them. */
export interface MetricsReportSpec {
  title: string;
  /** e.g. ["Protocol: person crops (25% margin) …", "Ground truth: annotations.json, 38 images, 121 people", …]: wrapped to the page. */
  facts: string[];
  table: { header: string[]; rows: { cells: string[]; colour: string }[] };
  /** Lines under the table: the note on published figures and what each was measured on. */
  notes: string[];
  /** The verdict's heading: it says what the verdict rests on (dataset-wide, n, the intervals). */
  verdictHeading?: string;
  /** One line per column: "PASS · AP 0.712 [0.66, 0.75] vs ≥ 0.600: pass · …". */
  verdictLines: { text: string; pass: boolean | null; colour: string }[];
  charts: { image: CanvasImageSource; widthPx: number; heightPx: number }[];
  /** Where the metrics came from, one line each (`provenanceLines` of core/evaluation/provenance.ts). */
  provenance: string[];
}

/** Anything that measures text in the report's fonts: a canvas context, or a stand-in in tests. */
export interface TextMeasure {
  font: string;
  measureText(text: string): { width: number };
}

/** One piece of text as laid out: `widthPx` is its measured width, `boxWidthPx` the room it was given. */
export interface LaidOutText {
  kind: 'text';
  text: string;
  xPx: number;
  yPx: number;
  widthPx: number;
  boxWidthPx: number;
  font: string;
  colour: string;
}

export type LaidOutItem =
  | LaidOutText
  | { kind: 'swatch'; xPx: number; yPx: number; sizePx: number; colour: string }
  | { kind: 'image'; image: CanvasImageSource; xPx: number; yPx: number; widthPx: number; heightPx: number };

export interface MetricsReportLayout {
  widthPx: number;
  heightPx: number;
  items: LaidOutItem[];
}

const L = { marginPx: 24, lineHeightPx: 20, widthPx: 1400, chartGapPx: 16, cellPaddingPx: 14, swatchPx: 10, minColumnPx: 70 } as const;
const HEADER_COLOUR = '#9aa3b2';

/** The screenshot's word wrap (screenshotLayout.wrapText), measured through a canvas-like `measure`. */
export function wrapText(measure: TextMeasure, text: string, maxWidthPx: number): string[] {
  const font = measure.font;
  return wrapWords(text, font, maxWidthPx, (value, withFont) => {
    measure.font = withFont;
    return measure.measureText(value).width;
  });
}

/**
 * Places every piece of the report, measuring text in its font: long lines wrap to the page, table columns take the
 * width their widest entry needs (and wrap inside when the table would be wider than the page), charts keep their
 * own pixel size (so their titles and axis labels stay at the size they were drawn, beside the report's text) and
 * sit side by side where they fit.
 */
export function layoutMetricsReport(measure: TextMeasure, spec: MetricsReportSpec): MetricsReportLayout {
  const items: LaidOutItem[] = [];
  const contentPx = L.widthPx - 2 * L.marginPx;
  let y = L.marginPx;
  const text = (value: string, x: number, boxWidthPx: number, font: string, colour: string) => {
    measure.font = font;
    items.push({ kind: 'text', text: value, xPx: x, yPx: y, widthPx: measure.measureText(value).width, boxWidthPx, font, colour });
  };
  const paragraph = (value: string, font: string, colour: string, x = L.marginPx, widthPx = contentPx) => {
    measure.font = font;
    for (const line of wrapText(measure, value, widthPx)) {
      text(line, x, widthPx, font, colour);
      y += L.lineHeightPx;
    }
  };

  paragraph(spec.title, REPORT_STYLE.titleFont, REPORT_STYLE.titleColour);
  y += L.lineHeightPx / 2;
  for (const fact of spec.facts) paragraph(fact, REPORT_STYLE.textFont, REPORT_STYLE.textColour);
  y += L.lineHeightPx;

  // Table: natural column widths, then the widest columns give way until it fits the page.
  const { header, rows } = spec.table;
  const columns = header.length;
  const natural = header.map((h, i) => {
    measure.font = REPORT_STYLE.boldTextFont;
    let width = measure.measureText(h).width;
    measure.font = REPORT_STYLE.textFont;
    for (const row of rows) width = Math.max(width, measure.measureText(row.cells[i] ?? '').width + (i === 0 ? L.swatchPx + 6 : 0));
    return Math.ceil(width) + L.cellPaddingPx;
  });
  const widths = [...natural];
  while (widths.reduce((a, b) => a + b, 0) > contentPx) {
    const widest = widths.indexOf(Math.max(...widths));
    const excess = widths.reduce((a, b) => a + b, 0) - contentPx;
    const next = Math.max(L.minColumnPx, widths[widest]! - excess, Math.max(...widths.filter((_, i) => i !== widest)));
    if (next >= widths[widest]!) {
      // Every column is as narrow as the others: shrink them all, down to the minimum.
      const scale = contentPx / widths.reduce((a, b) => a + b, 0);
      for (let i = 0; i < columns; i++) widths[i] = Math.max(L.minColumnPx, Math.floor(widths[i]! * scale));
      break;
    }
    widths[widest] = next;
  }
  const xOf = (i: number) => L.marginPx + widths.slice(0, i).reduce((a, b) => a + b, 0);
  const tableRow = (cells: readonly string[], font: string, colour: string, swatch: string | null) => {
    measure.font = font;
    const wrapped = cells.map((cell, i) => wrapText(measure, cell, widths[i]! - L.cellPaddingPx - (i === 0 && swatch ? L.swatchPx + 6 : 0)));
    const lines = Math.max(1, ...wrapped.map((w) => w.length));
    if (swatch) items.push({ kind: 'swatch', xPx: L.marginPx, yPx: y + 4, sizePx: L.swatchPx, colour: swatch });
    wrapped.forEach((cellLines, i) => {
      const indent = i === 0 && swatch ? L.swatchPx + 6 : 0;
      cellLines.forEach((line, k) => {
        const rowY = y;
        y = rowY + k * L.lineHeightPx;
        text(line, xOf(i) + indent, widths[i]! - L.cellPaddingPx - indent, font, colour);
        y = rowY;
      });
    });
    y += lines * L.lineHeightPx + 4;
  };
  tableRow(header, REPORT_STYLE.boldTextFont, HEADER_COLOUR, null);
  for (const row of rows) tableRow(row.cells, REPORT_STYLE.textFont, REPORT_STYLE.titleColour, row.colour);
  for (const note of spec.notes) paragraph(note, REPORT_STYLE.textFont, REPORT_STYLE.textColour);

  const section = (heading: string, lines: readonly { text: string; colour: string }[]) => {
    y += L.lineHeightPx;
    paragraph(heading, REPORT_STYLE.headingFont, REPORT_STYLE.titleColour);
    for (const line of lines) paragraph(line.text, REPORT_STYLE.textFont, line.colour);
  };
  section(spec.verdictHeading ?? 'Verdict — whole dataset', spec.verdictLines.map((line) => ({ text: line.text, colour: verdictColour(line.pass) })));
  if (spec.provenance.length > 0) section('Provenance', spec.provenance.map((value) => ({ text: value, colour: REPORT_STYLE.textColour })));

  // Charts at their own size (shrunk only when wider than the page), side by side while they fit.
  y += L.chartGapPx;
  let x = L.marginPx;
  let rowHeightPx = 0;
  for (const chart of spec.charts) {
    const scale = Math.min(1, contentPx / chart.widthPx);
    const widthPx = chart.widthPx * scale;
    const heightPx = chart.heightPx * scale;
    if (x > L.marginPx && x + widthPx > L.marginPx + contentPx) {
      y += rowHeightPx + L.chartGapPx;
      x = L.marginPx;
      rowHeightPx = 0;
    }
    items.push({ kind: 'image', image: chart.image, xPx: x, yPx: y, widthPx, heightPx });
    x += widthPx + L.chartGapPx;
    rowHeightPx = Math.max(rowHeightPx, heightPx);
  }
  if (rowHeightPx > 0) y += rowHeightPx;
  return { widthPx: L.widthPx, heightPx: Math.ceil(y + L.marginPx), items };
}

export function metricsReportSizePx(measure: TextMeasure, spec: MetricsReportSpec): { width: number; height: number } {
  const layout = layoutMetricsReport(measure, spec);
  return { width: layout.widthPx, height: layout.heightPx };
}

/** Paints a laid-out report: text is painted, never parsed as markup. */
export function paintMetricsReport(ctx: Canvas2D, spec: MetricsReportSpec): MetricsReportLayout {
  const layout = layoutMetricsReport(ctx, spec);
  beginReportPage(ctx, { width: layout.widthPx, height: layout.heightPx });
  for (const item of layout.items) {
    if (item.kind === 'text') {
      ctx.font = item.font;
      ctx.fillStyle = item.colour;
      ctx.fillText(item.text, item.xPx, item.yPx);
    } else if (item.kind === 'swatch') {
      ctx.fillStyle = item.colour;
      ctx.fillRect(item.xPx, item.yPx, item.sizePx, item.sizePx);
    } else {
      ctx.drawImage(item.image, item.xPx, item.yPx, item.widthPx, item.heightPx);
    }
  }
  return layout;
}

export async function renderMetricsReportPng(spec: MetricsReportSpec): Promise<Blob> {
  // Measured on a scratch canvas first: the page's height depends on how the text wraps.
  const scratch = new OffscreenCanvas(1, 1).getContext('2d');
  if (!scratch) throw new Error('cannot create a 2D canvas for the metrics report');
  const size = metricsReportSizePx(scratch, spec);
  const canvas = new OffscreenCanvas(size.width, size.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('cannot create a 2D canvas for the metrics report');
  paintMetricsReport(ctx, spec);
  return canvas.convertToBlob({ type: 'image/png' });
}
