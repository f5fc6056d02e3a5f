/**
 * The report page generator: every section present, every text escaped (names of columns, images and files can be
 * HTML), nothing that runs or fetches, and tags that close in order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, reportHtml, safeColour, safeImageDataUrl, type ReportHtmlInput } from '../../src/render/reportHtml';

const HOSTILE_COLUMN = '<img src=x onerror=alert(1)>';
const HOSTILE_IMAGE = '<script>alert("x")</script>.jpg';
const HOSTILE_FILE = '"><svg onload=alert(2)>.json';
/** A 1×1 white JPEG is not needed: the generator only checks the URL's form; any base64 payload will do. */
const PICTURE = 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==';
const CSS = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'features', 'report', 'report.css'), 'utf8');

function input(overrides: Partial<ReportHtmlInput> = {}): ReportHtmlInput {
  return {
    title: 'Keypoint Bench report',
    stylesheet: { kind: 'inline', css: CSS },
    createdIso: '2026-12-02T03:00:00.000Z',
    facts: [`Ground truth: ${HOSTILE_FILE}`],
    notices: [],
    verdict: {
      heading: 'Verdict — whole dataset',
      basis: 'dataset-wide: 8 images, 21 labelled people; 95% bootstrap intervals, 1,000 resamples of the images, seed 1',
      lines: [{ columnId: 'evil', colour: '#ff3b30', outcome: 'inconclusive', text: `INCONCLUSIVE · ${HOSTILE_COLUMN} · AP 0.343 [0.291, 0.402] vs ≥ 0.350: inconclusive` }],
    },
    metrics: {
      header: ['Model', 'AP', 'PCK@0.2'],
      rows: [{ columnId: 'evil', colour: 'red" onmouseover="alert(3)', cells: [{ text: HOSTILE_COLUMN }, { text: '0.343', stat: 'AP', interval: '[0.291, 0.402]' }, { text: '0.612', stat: 'PCK', interval: null }] }],
      notes: ['* Published: the authors’ figure'],
    },
    pairs: [`${HOSTILE_COLUMN} is better than B: +0.033 AP [−0.021, +0.080], not significant`],
    charts: [
      { kind: 'bars', title: 'Scores', maxValue: 1, caption: 'whiskers', groups: [{ label: 'AP', bars: [{ label: HOSTILE_COLUMN, colour: '#ff3b30', value: 0.343, lower: 0.291, upper: 0.402 }, { label: 'B', colour: '#34c759', value: null, lower: null, upper: null }] }] },
      { kind: 'lines', title: 'PCK curve', xLabel: 'α', yLabel: 'PCK', xMax: 0.5, yMax: 1, caption: 'curve', series: [{ label: HOSTILE_COLUMN, colour: '#ff3b30', points: [{ x: 0, y: 0 }, { x: 0.25, y: null }, { x: 0.5, y: 0.9 }] }] },
      { kind: 'heatmap', title: 'Per keypoint', rowLabels: ['nose'], columnLabels: [HOSTILE_COLUMN], values: [[0.75]], maxValue: 1, higherIsBetter: true, digits: 2, caption: 'rates' },
    ],
    taxonomy: {
      method: 'coco-analyze',
      columns: [
        {
          columnId: 'evil',
          displayName: HOSTILE_COLUMN,
          colour: '#ff3b30',
          unavailable: null,
          labelledKeypoints: 100,
          classes: [
            { key: 'good', label: 'Good', count: 61 },
            { key: 'jitter', label: 'Jitter', count: 20 },
            { key: 'inversion', label: 'Inversion', count: 4 },
            { key: 'swap', label: 'Swap', count: 3 },
            { key: 'miss', label: 'Miss', count: 12 },
          ],
          facts: ['4 detections analysed'],
          apGain: [{ label: 'jitter', value: 0.12, text: '+0.120 ± 0.050' }],
        },
      ],
    },
    worstCases: [
      {
        columnId: 'evil',
        label: HOSTILE_COLUMN,
        colour: '#ff3b30',
        cases: [
          { imageName: HOSTILE_IMAGE, caption: 'mean OKS 0.120 · 2 people, 1 missed', dataUrl: PICTURE, widthPx: 440, heightPx: 300 },
          { imageName: 'b.jpg', caption: 'mean OKS 0.300', dataUrl: 'javascript:alert(4)', widthPx: 440, heightPx: 300 },
        ],
      },
    ],
    worstCasesNote: null,
    provenance: ['Keypoint Bench abc1234 · 2026-12-02 03:00:00 UTC', `Ground truth: ${HOSTILE_FILE}`],
    ...overrides,
  };
}

/** Tags, in order, outside <style>: name, closing or not, self-closed or not. */
function tags(html: string): { name: string; closing: boolean; selfClosed: boolean; raw: string }[] {
  const withoutStyle = html.replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  return [...withoutStyle.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)].map((m) => ({ name: m[2]!.toLowerCase(), closing: m[1] === '/', selfClosed: m[3] === '/', raw: m[0] }));
}

/** Attribute names of one tag, every value double-quoted (as the generator writes them; quotes in text are escaped). */
function attributeNames(rawTag: string): string[] {
  const afterName = rawTag.replace(/^<\/?[a-zA-Z][a-zA-Z0-9]*/, '');
  return [...afterName.matchAll(/\s([^\s="'>/]+)(?:="[^"]*")?/g)].map((m) => m[1]!);
}

/** Void elements (HTML) and SVG shapes written as <x/>: they close themselves. */
const VOID = new Set(['meta', 'link', 'img', 'br']);

/** The elements that must close, in nesting order: a stack check, stricter than counting. */
function unbalanced(html: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  for (const tag of tags(html)) {
    if (VOID.has(tag.name) || tag.selfClosed || tag.name === '!doctype') continue;
    if (!tag.closing) stack.push(tag.name);
    else if (stack.at(-1) === tag.name) stack.pop();
    else problems.push(`</${tag.name}> closes <${stack.at(-1) ?? 'nothing'}>`);
  }
  return [...problems, ...stack.map((name) => `<${name}> never closed`)];
}

describe('reportHtml', () => {
  it('has every section, the verdict, the intervals, the taxonomy counts and the pictures', () => {
    const html = reportHtml(input());
    for (const id of ['verdict', 'metrics', 'charts', 'taxonomy', 'worst', 'provenance']) expect(html).toContain(`data-section="${id}"`);
    expect(html).toContain('dataset-wide: 8 images, 21 labelled people');
    expect(html).toContain('<span class="ci">[0.291, 0.402]</span>');
    expect(html).toMatch(/<tr data-class="miss"><th scope="row">Miss<\/th><td class="count">12<\/td>/);
    expect(html).toContain(`<img src="${PICTURE}"`);
    expect((html.match(/<svg class="chart"/g) ?? []).length).toBe(2);
    expect(html).toContain('<table class="heatmap">');
    expect(html).toMatch(/Print command/);
  });

  it('escapes every name: hostile text appears only escaped, and nothing in the page runs or fetches', () => {
    const html = reportHtml(input());
    expect(html).not.toContain(HOSTILE_COLUMN);
    expect(html).toContain(escapeHtml(HOSTILE_COLUMN));
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.jpg');
    expect(html).toContain('&quot;&gt;&lt;svg onload=alert(2)&gt;.json');
    expect(html.toLowerCase()).not.toContain('<script');
    expect(html).not.toContain('javascript:');
    // No event handler attribute and no style attribute (the print tab's CSP refuses those) in any tag.
    const bad = tags(html).filter((t) => attributeNames(t.raw).some((name) => /^(on[a-z]+|style)$/i.test(name)));
    expect(bad.map((t) => t.raw)).toEqual([]);
    // A colour that is not a colour is replaced, not written into the attribute.
    expect(html).not.toContain('onmouseover');
    // Only data: pictures; no src/href to anywhere else.
    const urls = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(urls.every((u) => u.startsWith('data:image/'))).toBe(true);
    // The picture refused as a source is said to be missing.
    expect(html).toContain('picture not available');
  });

  it('closes every element it opens, in order', () => {
    expect(unbalanced(reportHtml(input()))).toEqual([]);
    // The check itself sees a stray tag.
    expect(unbalanced('<section><p>x</section>')).not.toEqual([]);
  });

  it('says what is missing: no ground truth, intervals and taxonomy pending', () => {
    const empty = reportHtml(input({ verdict: null, metrics: null, pairs: [], charts: [], taxonomy: null, worstCases: [], worstCasesNote: 'No worst cases without ground truth.', notices: ['No ground truth: add a file.'] }));
    for (const id of ['verdict', 'metrics', 'charts', 'taxonomy', 'worst', 'provenance']) expect(empty).toContain(`data-section="${id}"`);
    expect(empty).toContain('No ground truth: add a file.');
    expect(empty).toContain('No verdict');
    expect(empty).toContain('No worst cases without ground truth.');
    expect(unbalanced(empty)).toEqual([]);
    const pending = reportHtml(input({ taxonomy: 'pending' }));
    expect(pending).toContain('Error taxonomy pending');
  });

  it('links the stylesheet for the print tab instead of inlining it, and the stylesheet fetches nothing', () => {
    const linked = reportHtml(input({ stylesheet: { kind: 'link', href: 'http://127.0.0.1:5173/assets/report-abc.css' } }));
    expect(linked).toContain('<link rel="stylesheet" href="http://127.0.0.1:5173/assets/report-abc.css">');
    expect(linked).not.toContain('<style>');
    expect(linked).toContain("style-src 'unsafe-inline' http://127.0.0.1:5173");
    // The inlined stylesheet may not reach out (url(), @import) or end the <style> element early.
    expect(CSS).not.toMatch(/url\(|@import|<\/style/i);
    expect(CSS).toMatch(/@media print/);
    expect(CSS).toMatch(/break-before: page/);
  });

  it('lets through only colours and raster data: URLs', () => {
    expect(safeColour('#34c759')).toBe('#34c759');
    expect(safeColour('red" x="')).toBe('#888888');
    expect(safeImageDataUrl(PICTURE)).toBe(PICTURE);
    expect(safeImageDataUrl('data:text/html;base64,PHNjcmlwdD4=')).toBeNull();
    expect(safeImageDataUrl('data:image/svg+xml;base64,PHN2Zz4=')).toBeNull();
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
