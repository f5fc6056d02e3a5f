/**
 * "Export report": one self-contained HTML page (verdict, intervals, metrics, charts, error taxonomy, worst cases,
 * provenance) from plain data. Pure string building, no DOM: the feature gathers the data, this lays it out.
 *
 * Every text goes through `escapeHtml` (names of files, images and columns can be HTML); every picture is a data:
 * URL; charts are inline SVG drawn with presentation attributes (fill="…"), never style="…": the "Print / PDF" tab
 * is a blob: document, which inherits the app's CSP (style-src 'self': no inline style, no style attribute), so
 * the page must read right with its stylesheet linked from the app's origin as well as inlined. No script at all.
 */

export type ReportOutcome = 'pass' | 'fail' | 'inconclusive' | 'undecided' | 'pending';

export interface ReportVerdictLine {
  columnId: string;
  colour: string;
  outcome: ReportOutcome;
  text: string;
}

export interface ReportTableRow {
  columnId: string;
  colour: string;
  /** One per header cell; `stat` names the statistic (data-stat, as in the app's table), `interval` its brackets. */
  cells: { text: string; stat?: string; interval?: string | null }[];
}

/** One bar per column within each group, with its interval as a whisker. */
export interface ReportBarChart {
  kind: 'bars';
  title: string;
  /** The value axis runs from 0 to this (1 for fractions). */
  maxValue: number;
  groups: { label: string; bars: { label: string; colour: string; value: number | null; lower: number | null; upper: number | null }[] }[];
  caption: string;
}

export interface ReportLineChart {
  kind: 'lines';
  title: string;
  xLabel: string;
  yLabel: string;
  xMax: number;
  yMax: number;
  series: { label: string; colour: string; points: { x: number; y: number | null }[] }[];
  caption: string;
}

/** A row × column table of values in [0, maxValue], cells shaded in ten steps. */
export interface ReportHeatmap {
  kind: 'heatmap';
  title: string;
  rowLabels: string[];
  columnLabels: string[];
  values: (number | null)[][];
  maxValue: number;
  higherIsBetter: boolean;
  digits: number;
  caption: string;
}

export type ReportChart = ReportBarChart | ReportLineChart | ReportHeatmap;

export interface ReportTaxonomyColumn {
  columnId: string;
  displayName: string;
  colour: string;
  /** Why there is no analysis, else null. */
  unavailable: string | null;
  /** Class label → count, in the tool's order, with the total they add up to. */
  classes: { key: string; label: string; count: number }[];
  labelledKeypoints: number;
  facts: string[];
  /** AP gain per error type: label, mean over OKS thresholds (null: undefined), text. */
  apGain: { label: string; value: number | null; text: string }[];
}

export interface ReportTaxonomy {
  method: string;
  columns: ReportTaxonomyColumn[];
}

export interface ReportWorstCase {
  imageName: string;
  caption: string;
  /** JPEG/PNG data: URL of the thumbnail with the overlay drawn; null when it could not be drawn. */
  dataUrl: string | null;
  widthPx: number;
  heightPx: number;
}

export interface ReportWorstColumn {
  columnId: string;
  label: string;
  colour: string;
  cases: ReportWorstCase[];
}

export interface ReportHtmlInput {
  title: string;
  /** Inlined for the downloaded file; linked (same origin) for the print tab, whose CSP refuses inline style. */
  stylesheet: { kind: 'inline'; css: string } | { kind: 'link'; href: string };
  createdIso: string;
  /** Lines under the title: protocol, ground truth, backend. */
  facts: string[];
  /** What the reader must know first: no ground truth, intervals pending. */
  notices: string[];
  verdict: { heading: string; basis: string; lines: ReportVerdictLine[] } | null;
  /** `title`: the section's heading when it is not the scored table (e.g. the runs without ground truth). */
  metrics: { title?: string; header: string[]; rows: ReportTableRow[]; notes: string[] } | null;
  pairs: string[];
  charts: ReportChart[];
  /** null: nothing to analyse; 'pending': still being computed. */
  taxonomy: ReportTaxonomy | 'pending' | null;
  worstCases: ReportWorstColumn[];
  /** Shown when the gallery could not have worst cases (no ground truth, no scored image). */
  worstCasesNote: string | null;
  provenance: string[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The one way text enters the page, in element content and attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Colours come from the app's palette, but are checked, not trusted, before they go into an attribute. */
export function safeColour(colour: string): string {
  return /^#[0-9a-f]{3,8}$/i.test(colour) ? colour : '#888888';
}

/** Only raster data: URLs (what the feature draws) may be an image source: never a page, a script or a remote file. */
export function safeImageDataUrl(url: string): string | null {
  return /^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/=]+$/.test(url) ? url : null;
}

const esc = escapeHtml;
const num = (value: number) => (Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0');

function swatch(colour: string): string {
  return `<svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" rx="2" fill="${safeColour(colour)}" stroke="#333" stroke-width="0.5"/></svg>`;
}

function section(id: string, title: string, body: string): string {
  return `<section class="report-section" id="${id}" data-section="${id}">\n<h2>${esc(title)}</h2>\n${body}\n</section>`;
}

function list(items: readonly string[], className: string): string {
  return items.length === 0 ? '' : `<ul class="${className}">${items.map((item) => `<li>${esc(item)}</li>`).join('')}</ul>`;
}

function verdictSection(verdict: ReportHtmlInput['verdict']): string {
  if (!verdict) return section('verdict', 'Verdict — whole dataset', '<p class="muted">No verdict: it needs ground truth and at least one scored image.</p>');
  const lines = verdict.lines
    .map((line) => `<li class="outcome-${line.outcome}" data-column-id="${esc(line.columnId)}" data-outcome="${line.outcome}">${swatch(line.colour)} <span class="verdict-text">${esc(line.text)}</span></li>`)
    .join('\n');
  return section('verdict', verdict.heading, `<p class="basis" data-testid="verdict-basis">${esc(verdict.basis)}</p>\n<ul class="verdict-lines">\n${lines}\n</ul>`);
}

function metricsSection(metrics: ReportHtmlInput['metrics'], pairs: readonly string[]): string {
  if (!metrics) return section('metrics', 'Metrics', '<p class="muted">No metrics: they need ground truth and at least one scored image.</p>');
  const head = `<thead><tr>${metrics.header.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>`;
  const rows = metrics.rows
    .map((row) => {
      const cells = row.cells.map((cell, i) => {
        const stat = cell.stat ? ` data-stat="${esc(cell.stat)}"` : '';
        const interval = cell.interval ? ` <span class="ci">${esc(cell.interval)}</span>` : '';
        return i === 0 ? `<th scope="row">${swatch(row.colour)} ${esc(cell.text)}</th>` : `<td${stat}><span class="value">${esc(cell.text)}</span>${interval}</td>`;
      });
      return `<tr data-column-id="${esc(row.columnId)}">${cells.join('')}</tr>`;
    })
    .join('\n');
  const pairBlock = pairs.length > 0 ? `<h3>Paired differences</h3>${list(pairs, 'pairs')}` : '';
  return section('metrics', metrics.title ?? 'Metrics with 95% intervals', `<table class="metrics">${head}<tbody>\n${rows}\n</tbody></table>${list(metrics.notes, 'notes')}${pairBlock}`);
}

const CHART_WIDTH_PX = 640;

/** Axis ticks at a round step (0.1, 0.2, 0.25, 0.5, 1 … × a power of ten) giving at most six intervals up to `max`. */
function ticks(max: number): number[] {
  const rough = max / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const out: number[] = [];
  for (let i = 0; i * step <= max + step * 1e-9; i++) out.push(i * step);
  return out;
}

function barChartSvg(chart: ReportBarChart): string {
  const barHeightPx = 12;
  const groupGapPx = 10;
  const labelWidthPx = 70;
  const plotWidthPx = CHART_WIDTH_PX - labelWidthPx - 20;
  const barsPerGroup = Math.max(1, ...chart.groups.map((g) => g.bars.length));
  const groupHeightPx = barsPerGroup * (barHeightPx + 2) + groupGapPx;
  const heightPx = chart.groups.length * groupHeightPx + 24;
  const x = (value: number) => labelWidthPx + (Math.max(0, Math.min(chart.maxValue, value)) / chart.maxValue) * plotWidthPx;
  const parts: string[] = [];
  for (const value of ticks(chart.maxValue)) {
    parts.push(`<line x1="${num(x(value))}" y1="0" x2="${num(x(value))}" y2="${heightPx - 18}" stroke="#ddd"/>`);
    parts.push(`<text x="${num(x(value))}" y="${heightPx - 4}" font-size="10" text-anchor="middle" fill="#444">${esc(value.toFixed(2))}</text>`);
  }
  chart.groups.forEach((group, g) => {
    const top = g * groupHeightPx;
    parts.push(`<text x="0" y="${num(top + 12)}" font-size="11" font-weight="bold" fill="#222">${esc(group.label)}</text>`);
    group.bars.forEach((bar, b) => {
      const y = top + b * (barHeightPx + 2);
      if (bar.value === null) {
        parts.push(`<text x="${labelWidthPx}" y="${num(y + 10)}" font-size="10" fill="#666">${esc(bar.label)}: not measured</text>`);
        return;
      }
      parts.push(`<rect x="${labelWidthPx}" y="${num(y)}" width="${num(x(bar.value) - labelWidthPx)}" height="${barHeightPx}" fill="${safeColour(bar.colour)}" stroke="#333" stroke-width="0.5"><title>${esc(`${bar.label}: ${bar.value.toFixed(3)}`)}</title></rect>`);
      if (bar.lower !== null && bar.upper !== null) {
        const mid = y + barHeightPx / 2;
        parts.push(`<path d="M${num(x(bar.lower))} ${num(mid)}H${num(x(bar.upper))}M${num(x(bar.lower))} ${num(y + 2)}V${num(y + barHeightPx - 2)}M${num(x(bar.upper))} ${num(y + 2)}V${num(y + barHeightPx - 2)}" stroke="#000" stroke-width="1.2" fill="none"/>`);
      }
    });
  });
  return `<svg class="chart" role="img" aria-label="${esc(chart.title)}" width="${CHART_WIDTH_PX}" height="${heightPx}" viewBox="0 0 ${CHART_WIDTH_PX} ${heightPx}">${parts.join('')}</svg>${legend(chart.groups[0]?.bars ?? [])}`;
}

function legend(entries: readonly { label: string; colour: string }[]): string {
  return entries.length === 0 ? '' : `<ul class="legend">${entries.map((e) => `<li>${swatch(e.colour)} ${esc(e.label)}</li>`).join('')}</ul>`;
}

function lineChartSvg(chart: ReportLineChart): string {
  const heightPx = 260;
  const left = 44;
  const bottom = heightPx - 30;
  const plotWidthPx = CHART_WIDTH_PX - left - 16;
  const plotHeightPx = bottom - 10;
  const x = (v: number) => left + (v / chart.xMax) * plotWidthPx;
  const y = (v: number) => bottom - (Math.max(0, Math.min(chart.yMax, v)) / chart.yMax) * plotHeightPx;
  const parts: string[] = [];
  for (const yv of ticks(chart.yMax)) {
    parts.push(`<line x1="${left}" y1="${num(y(yv))}" x2="${left + plotWidthPx}" y2="${num(y(yv))}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 4}" y="${num(y(yv) + 3)}" font-size="10" text-anchor="end" fill="#444">${esc(yv.toFixed(2))}</text>`);
  }
  for (const xv of ticks(chart.xMax)) parts.push(`<text x="${num(x(xv))}" y="${bottom + 14}" font-size="10" text-anchor="middle" fill="#444">${esc(xv.toFixed(2))}</text>`);
  parts.push(`<text x="${left + plotWidthPx / 2}" y="${heightPx - 2}" font-size="10" text-anchor="middle" fill="#222">${esc(chart.xLabel)}</text>`);
  parts.push(`<text x="10" y="${bottom / 2}" font-size="10" text-anchor="middle" fill="#222" transform="rotate(-90 10 ${bottom / 2})">${esc(chart.yLabel)}</text>`);
  for (const series of chart.series) {
    // A gap (null) ends a run of the line rather than dropping it to zero.
    let d = '';
    let pen = false;
    for (const p of series.points) {
      if (p.y === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${num(x(p.x))} ${num(y(p.y))}`;
      pen = true;
    }
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${safeColour(series.colour)}" stroke-width="2"><title>${esc(series.label)}</title></path>`);
  }
  return `<svg class="chart" role="img" aria-label="${esc(chart.title)}" width="${CHART_WIDTH_PX}" height="${heightPx}" viewBox="0 0 ${CHART_WIDTH_PX} ${heightPx}">${parts.join('')}</svg>${legend(chart.series)}`;
}

/** Shade step 0–9 of a value: the eye finds the extremes; the number is printed in the cell anyway. */
function shadeStep(value: number, maxValue: number): number {
  return Math.max(0, Math.min(9, Math.floor((value / (maxValue || 1)) * 9.999)));
}

function heatmapTable(chart: ReportHeatmap): string {
  const head = `<thead><tr><th scope="col">Keypoint</th>${chart.columnLabels.map((label) => `<th scope="col">${esc(label)}</th>`).join('')}</tr></thead>`;
  const rows = chart.rowLabels
    .map((label, r) => {
      const cells = chart.columnLabels.map((_, c) => {
        const value = chart.values[r]?.[c] ?? null;
        if (value === null) return '<td class="na">—</td>';
        return `<td class="${chart.higherIsBetter ? 'good' : 'bad'}-${shadeStep(value, chart.maxValue)}">${esc(value.toFixed(chart.digits))}</td>`;
      });
      return `<tr><th scope="row">${esc(label)}</th>${cells.join('')}</tr>`;
    })
    .join('');
  return `<table class="heatmap">${head}<tbody>${rows}</tbody></table>`;
}

function chartFigure(chart: ReportChart): string {
  const body = chart.kind === 'bars' ? barChartSvg(chart) : chart.kind === 'lines' ? lineChartSvg(chart) : heatmapTable(chart);
  return `<figure class="chart-figure" data-chart="${chart.kind}"><figcaption><strong>${esc(chart.title)}</strong> — ${esc(chart.caption)}</figcaption>${body}</figure>`;
}

function chartsSection(charts: readonly ReportChart[]): string {
  if (charts.length === 0) return section('charts', 'Charts', '<p class="muted">No charts: they need scored images.</p>');
  return section('charts', 'Charts', charts.map(chartFigure).join('\n'));
}

function taxonomyStackSvg(column: ReportTaxonomyColumn): string {
  const widthPx = CHART_WIDTH_PX;
  const total = column.classes.reduce((sum, c) => sum + c.count, 0);
  if (total === 0) return '';
  const fills: Record<string, string> = { good: '#3a9d5d', jitter: '#f2c14e', inversion: '#f08a4b', swap: '#c45ab3', miss: '#d64545' };
  let offset = 0;
  const rects = column.classes.map((c) => {
    const w = (c.count / total) * widthPx;
    const rect = `<rect x="${num(offset)}" y="0" width="${num(w)}" height="16" fill="${fills[c.key] ?? '#999'}"><title>${esc(`${c.label}: ${c.count}`)}</title></rect>`;
    offset += w;
    return rect;
  });
  return `<svg class="stack" role="img" aria-label="${esc(`Keypoint classes of ${column.displayName}`)}" width="${widthPx}" height="16" viewBox="0 0 ${widthPx} 16">${rects.join('')}</svg>`;
}

function taxonomySection(taxonomy: ReportHtmlInput['taxonomy']): string {
  if (taxonomy === 'pending') return section('taxonomy', 'Error taxonomy', '<p class="notice" data-pending="taxonomy">Error taxonomy pending: it was still being computed when this report was made.</p>');
  if (!taxonomy) return section('taxonomy', 'Error taxonomy', '<p class="muted">No error taxonomy: it needs ground truth and scored images.</p>');
  const columns = taxonomy.columns
    .map((column) => {
      if (column.unavailable) return `<div class="taxonomy-column" data-column-id="${esc(column.columnId)}"><h3>${swatch(column.colour)} ${esc(column.displayName)}</h3><p class="muted">Not available: ${esc(column.unavailable)}</p></div>`;
      const classRows = column.classes
        .map((c) => `<tr data-class="${esc(c.key)}"><th scope="row">${esc(c.label)}</th><td class="count">${c.count}</td><td>${column.labelledKeypoints > 0 ? esc(((100 * c.count) / column.labelledKeypoints).toFixed(1)) : '—'}%</td></tr>`)
        .join('');
      const gainRows = column.apGain.map((g) => `<tr><th scope="row">${esc(g.label)}</th><td>${esc(g.text)}</td></tr>`).join('');
      return (
        `<div class="taxonomy-column" data-column-id="${esc(column.columnId)}"><h3>${swatch(column.colour)} ${esc(column.displayName)}</h3>${list(column.facts, 'facts')}` +
        `${taxonomyStackSvg(column)}<div class="taxonomy-tables"><table class="classes"><thead><tr><th scope="col">Keypoints</th><th scope="col">Count</th><th scope="col">Share</th></tr></thead><tbody>${classRows}</tbody></table>` +
        `<table class="gains"><thead><tr><th scope="col">If fixed</th><th scope="col">AP gain (mean ± sd over OKS .50:.95)</th></tr></thead><tbody>${gainRows}</tbody></table></div></div>`
      );
    })
    .join('\n');
  return section('taxonomy', 'Error taxonomy', `<p class="muted">${esc(taxonomy.method)}</p>\n${columns}`);
}

function worstSection(columns: readonly ReportWorstColumn[], note: string | null): string {
  const blocks = columns
    .map((column) => {
      const figures = column.cases
        .map((c) => {
          const src = c.dataUrl === null ? null : safeImageDataUrl(c.dataUrl);
          const picture = src ? `<img src="${src}" width="${Math.round(c.widthPx)}" height="${Math.round(c.heightPx)}" alt="${esc(`${c.imageName} — ${column.label}`)}">` : '<div class="no-picture">picture not available</div>';
          return `<figure class="case" data-image-name="${esc(c.imageName)}">${picture}<figcaption><span class="name">${esc(c.imageName)}</span><br>${esc(c.caption)}</figcaption></figure>`;
        })
        .join('');
      return `<div class="worst-column" data-column-id="${esc(column.columnId)}"><h3>${swatch(column.colour)} ${esc(column.label)}</h3><div class="cases">${figures}</div></div>`;
    })
    .join('\n');
  const legend = '<p class="muted">White diamonds and dashed bones: ground truth · coloured skeleton: the model · thin lines: prediction → truth.</p>';
  return section('worst', 'Worst cases', `${note ? `<p class="notice">${esc(note)}</p>` : ''}${columns.length > 0 ? legend + blocks : ''}`);
}

/** The whole page. Sections always appear, each saying why when it has nothing to show. */
export function reportHtml(input: ReportHtmlInput): string {
  const style = input.stylesheet.kind === 'inline' ? `<style>\n${input.stylesheet.css.replace(/<\//g, '<\\/')}\n</style>` : `<link rel="stylesheet" href="${esc(input.stylesheet.href)}">`;
  const notices = input.notices.map((n) => `<p class="notice" role="note">${esc(n)}</p>`).join('\n');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // The file asks for nothing from anywhere: no script, and no fetches (images are inline).
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline' ${input.stylesheet.kind === 'link' ? esc(originOf(input.stylesheet.href)) : ''}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(input.title)}</title>`,
    style,
    '</head>',
    '<body>',
    '<header class="report-header">',
    `<h1>${esc(input.title)}</h1>`,
    list([...input.facts, `Made ${input.createdIso.slice(0, 19).replace('T', ' ')} UTC`], 'facts'),
    '<p class="print-hint">To save as PDF, use your browser’s own Print command (Ctrl+P, or ⌘P on a Mac) and choose “Save as PDF”. This page has no script and no print button.</p>',
    notices,
    '</header>',
    '<main>',
    verdictSection(input.verdict),
    metricsSection(input.metrics, input.pairs),
    chartsSection(input.charts),
    taxonomySection(input.taxonomy),
    worstSection(input.worstCases, input.worstCasesNote),
    section('provenance', 'Provenance', `<pre class="provenance">${input.provenance.map(esc).join('\n')}</pre>`),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** "http://host:port" of a stylesheet URL, for the page's own CSP; '' when it is not an http(s) URL. */
function originOf(href: string): string {
  const match = /^(https?:\/\/[^/?#\s"'<>]+)/.exec(href);
  return match?.[1] ?? '';
}
