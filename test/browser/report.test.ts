/**
 * "Export report": the people fixtures with their ground truth, two models, the intervals and the error taxonomy in;
 * the downloaded HTML, opened in a page with JavaScript off, says what the app says (verdict lines, the table's
 * intervals, the taxonomy's counts), shows decodable worst-case pictures, asks the network for nothing, and prints
 * to PDF. "Print / PDF" opens the same report in a tab that the app's CSP lets render with its stylesheet.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, PEOPLE_DIR, chromiumPath, openApp, waitForBackend, waitForCellsDone, type AppSession } from './harness';

const PEOPLE = ['000000000790.jpg', '000000027731.jpg', '000000030752.jpg', '000000121181.jpg', '000000126995.jpg', '000000129648.jpg', '000000234748.jpg', '000000463557.jpg'];
const DEFAULT_MODELS = ['movenet-lightning', 'blazepose-lite'];
const KEYPOINT_CLASSES = ['good', 'jitter', 'inversion', 'swap', 'miss'] as const;
/** Sections that start a new printed page (report.css), plus the first page: the fewest pages a whole report takes. */
const MIN_PDF_PAGES = 5;
/** 8 images × 2 models: a few pages per section at most; more would mean a broken layout (a picture per page, say). */
const MAX_PDF_PAGES = 20;
/** A4's width less report.css's 12 mm page margins, in CSS px (96 per inch): (210 − 24) mm ÷ 25.4 × 96. */
const A4_PRINTABLE_WIDTH_PX = Math.floor(((210 - 24) / 25.4) * 96);

let app: AppSession;
let viewer: Browser;
let workDir: string;
let reportPath: string;
let reportHtml: string;

/** The app's own words and numbers, read from its Metrics view and its intervals store. */
interface AppFigures {
  verdict: Record<string, string>;
  intervals: Record<string, Record<string, string>>;
  counts: Record<string, Record<string, number>>;
}
let appFigures: AppFigures;

/** Pages in a PDF from Chromium: its page objects (`/Type /Page`, not `/Pages`). */
function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}

let noGroundTruthHtml: string;

/** Clicks "Export report" and returns the downloaded file's text; its path is `workDir/name`. */
async function exportReport(page: Page, name: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('button', { name: 'Export report', exact: true }).click()]);
  expect(download.suggestedFilename()).toMatch(/^keypoint-bench-.*-report\.html$/);
  reportPath = join(workDir, name);
  await download.saveAs(reportPath);
  // To look at what the test exported: EXPORT_REPORT_DIR=/some/folder keeps the files (and the PDFs) there.
  if (process.env.EXPORT_REPORT_DIR) copyFileSync(reportPath, join(process.env.EXPORT_REPORT_DIR, name));
  return readFileSync(reportPath, 'utf8');
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'keypoint-bench-report-'));
  app = await openApp();
  const { page } = app;
  await waitForBackend(page);
  // Whole images: one inference per image keeps the run short; the report reads the same sources either way.
  await page.evaluate(() => (window as unknown as { keypointBench: { getState: () => { setEvaluationProtocol: (p: string) => void } } }).keypointBench.getState().setEvaluationProtocol('whole'));
  // Images first: a report made before the ground truth is in says so and keeps what needs none.
  await page.getByLabel('Add images', { exact: true }).setInputFiles(PEOPLE.map((name) => join(PEOPLE_DIR, name)));
  await waitForCellsDone(page, PEOPLE, DEFAULT_MODELS, 240_000);
  noGroundTruthHtml = await exportReport(page, 'no-ground-truth.html');
  await page.getByLabel('Add annotations or predictions', { exact: true }).setInputFiles(join(PEOPLE_DIR, 'annotations.json'));
  await page.getByRole('tab', { name: 'Metrics & verdict', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=intervals-status]')?.getAttribute('data-status') === 'done', undefined, { timeout: 120_000, polling: 250 });
  await page.waitForFunction(() => (window as unknown as { keypointBench: { getIntervals: () => { errors: unknown[] | null } } }).keypointBench.getIntervals().errors !== null, undefined, { timeout: 120_000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=verdict] li[data-outcome=pending]').length === 0, undefined, { timeout: 30_000, polling: 250 });

  appFigures = await page.evaluate((classes) => {
    const verdict: Record<string, string> = {};
    for (const li of document.querySelectorAll('[data-testid=verdict] li[data-column-id]')) verdict[li.getAttribute('data-column-id')!] = li.textContent ?? '';
    const intervals: Record<string, Record<string, string>> = {};
    for (const row of document.querySelectorAll('[data-testid=metrics-table] tbody tr[data-column-id]')) {
      const cells: Record<string, string> = {};
      for (const td of row.querySelectorAll('td[data-stat]')) {
        const ci = td.querySelector('.ci');
        if (ci) cells[td.getAttribute('data-stat')!] = ci.textContent ?? '';
      }
      intervals[row.getAttribute('data-column-id')!] = cells;
    }
    const errors = (window as unknown as { keypointBench: { getIntervals: () => { errors: { summary: { columnId: string; analysis: { counts: Record<string, number> } | null } }[] } } }).keypointBench.getIntervals().errors;
    const counts: Record<string, Record<string, number>> = {};
    for (const e of errors) counts[e.summary.columnId] = Object.fromEntries(classes.map((c) => [c, e.summary.analysis?.counts[c] ?? -1]));
    return { verdict, intervals, counts };
  }, [...KEYPOINT_CLASSES]);

  reportHtml = await exportReport(page, 'report.html');
  console.log(`report for ${PEOPLE.length} images × ${DEFAULT_MODELS.length} models: ${(reportHtml.length / 1024).toFixed(0)} KB`);
  viewer = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}, 600_000);

afterAll(async () => {
  await viewer?.close();
  await app?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('report export', () => {
  it('without ground truth says so, and keeps what needs none: the models run, their times, the provenance', () => {
    expect(noGroundTruthHtml).toContain('No ground truth: this report has no verdict, metrics, charts, error taxonomy or worst cases.');
    expect(noGroundTruthHtml).toContain('Models run (not scored)');
    for (const id of DEFAULT_MODELS) expect(noGroundTruthHtml).toMatch(new RegExp(`<tr data-column-id="${id}">.*<td data-stat="images"><span class="value">8/8</span></td><td data-stat="ms-per-image"><span class="value">\\d+\\.\\d ms</span>`));
    expect(noGroundTruthHtml).toContain('Ground truth: none');
    expect(noGroundTruthHtml).not.toContain('<img');
    expect(noGroundTruthHtml.toLowerCase()).not.toContain('<script');
  });

  it('has two models and both verdicts, intervals and taxonomies to compare with', () => {
    expect(Object.keys(appFigures.verdict).sort()).toEqual([...DEFAULT_MODELS].sort());
    for (const id of DEFAULT_MODELS) {
      expect(appFigures.verdict[id]).toMatch(/^(PASS|FAIL|INCONCLUSIVE|NOT DECIDED) · /);
      expect(Object.keys(appFigures.intervals[id] ?? {})).toEqual(expect.arrayContaining(['AP', 'AP50', 'AP75', 'AR', 'PCK']));
      expect(Object.values(appFigures.counts[id] ?? {}).every((n) => n >= 0)).toBe(true);
    }
    expect(reportHtml.toLowerCase()).not.toContain('<script');
  });

  it('opened with JavaScript off and nothing reachable, says what the app says and shows pictures that decode', async () => {
    const context = await viewer.newContext({ javaScriptEnabled: false });
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    try {
      const page = await context.newPage();
      const fileUrl = pathToFileURL(reportPath).href;
      await page.goto(fileUrl);
      await page.waitForLoadState('load');
      // The file itself is the only thing loaded: pictures are data: URLs, styles inline, no fonts or scripts.
      expect(requests.filter((url) => url !== fileUrl && !url.startsWith('data:'))).toEqual([]);

      for (const id of DEFAULT_MODELS) {
        expect(await page.locator(`[data-section=verdict] li[data-column-id="${id}"] .verdict-text`).textContent(), `${id} verdict`).toBe(appFigures.verdict[id]);
        for (const [stat, brackets] of Object.entries(appFigures.intervals[id]!)) {
          expect(await page.locator(`[data-section=metrics] tr[data-column-id="${id}"] td[data-stat="${stat}"] .ci`).textContent(), `${id} ${stat}`).toBe(brackets);
        }
        for (const cls of KEYPOINT_CLASSES) {
          expect(Number(await page.locator(`.taxonomy-column[data-column-id="${id}"] tr[data-class="${cls}"] td.count`).textContent()), `${id} ${cls}`).toBe(appFigures.counts[id]![cls]);
        }
      }
      expect(await page.locator('[data-section=verdict] .basis').textContent()).toMatch(/^dataset-wide: 8 images, \d+ labelled people; 95% bootstrap intervals, 1,000 resamples of the images, seed 1$/);
      for (const id of ['charts', 'provenance']) expect(await page.locator(`[data-section=${id}]`).count()).toBe(1);
      expect(await page.locator('[data-section=charts] svg.chart').count()).toBe(2);
      expect(await page.locator('[data-section=provenance] pre').textContent()).toContain('Ground truth: annotations.json');

      const pictures = page.locator('[data-section=worst] figure.case img');
      const count = await pictures.count();
      // Each model's worst images, up to six each, out of the eight.
      expect(count).toBeGreaterThanOrEqual(2 * DEFAULT_MODELS.length);
      for (let i = 0; i < count; i++) {
        const picture = pictures.nth(i);
        expect(await picture.getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/);
        // Decoded by the page (complete with natural pixels), not just present.
        const decoded = await picture.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0 && (img as HTMLImageElement).naturalHeight > 0);
        expect(decoded, `picture ${i}`).toBe(true);
      }

      for (const format of ['A4', 'Letter'] as const) {
        const pdf = await page.pdf({ format, printBackground: true });
        const pages = pdfPageCount(pdf);
        if (process.env.EXPORT_REPORT_DIR) writeFileSync(join(process.env.EXPORT_REPORT_DIR, `report-${format}.pdf`), pdf);
        console.log(`${format} PDF: ${pages} pages, ${(pdf.length / 1024).toFixed(0)} KB`);
        expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        expect(pages).toBeGreaterThanOrEqual(MIN_PDF_PAGES);
        expect(pages).toBeLessThanOrEqual(MAX_PDF_PAGES);
      }
      // Printed on A4 (186 mm ≈ 703 CSS px between 12 mm margins), nothing is wider than the page: no cut-off table.
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: A4_PRINTABLE_WIDTH_PX, height: 1000 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(A4_PRINTABLE_WIDTH_PX);
      expect(requests.filter((url) => url !== fileUrl && !url.startsWith('data:'))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('"Print / PDF" opens the report in a tab the app’s CSP lets render with its stylesheet', async () => {
    const { page, context } = app;
    const violations: string[] = [];
    const onConsole = (message: ConsoleMessage) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    };
    const [tab] = await Promise.all([context.waitForEvent('page', { timeout: 120_000 }), page.getByRole('button', { name: 'Print / PDF', exact: true }).click()]);
    tab.on('console', onConsole);
    await tab.waitForLoadState('load');
    expect(tab.url()).toMatch(/^blob:/);
    // The linked stylesheet applied (the print tab may not inline it): the page's width limit and its light background.
    await expect.poll(() => tab.evaluate(() => getComputedStyle(document.body).maxWidth)).toBe('1000px');
    expect(await tab.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
    expect(await tab.locator('[data-section=verdict] .verdict-text').count()).toBe(DEFAULT_MODELS.length);
    expect(await tab.evaluate(() => document.scripts.length)).toBe(0);
    const pdf = await tab.pdf({ format: 'A4' });
    expect(pdfPageCount(pdf)).toBeGreaterThanOrEqual(MIN_PDF_PAGES);
    expect(violations).toEqual([]);
    await tab.close();
  });
});
