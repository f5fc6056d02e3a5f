/**
 * Reading back a screenshot export in browser tests: the PNG pages (one file, or a grid's zip of contact sheets), and
 * the layout the app reports for them (every text with the width the real fonts gave it, and its box).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RectPx, ScreenshotCellBox, ScreenshotTextRole } from '../../src/render/screenshotLayout';
import { pngSize } from './harness';

export interface ReportedText {
  role: ScreenshotTextRole;
  text: string;
  xPx: number;
  yPx: number;
  widthPx: number;
  lineHeightPx: number;
  box: RectPx;
}

export interface ReportedPage {
  widthPx: number;
  heightPx: number;
  theme: 'dark' | 'light';
  texts: ReportedText[];
  cells: ScreenshotCellBox[];
  swatches: { kind: 'model' | 'groundTruth'; box: RectPx }[];
  /** The 3D panels' pictures (absent in layouts of older builds). */
  panels3d?: { panelIndex: number; box: RectPx }[];
}

export interface ExportedScreenshot {
  fileName: string;
  /** The PNG files, in page order. */
  pngs: { name: string; bytes: Buffer; size: { width: number; height: number } }[];
  layouts: ReportedPage[];
}

/** The layout of the last export, per page, from the export status line. */
export async function reportedLayouts(page: Page): Promise<ReportedPage[]> {
  return JSON.parse((await page.getByTestId('export-status').getAttribute('data-layout')) ?? '[]') as ReportedPage[];
}

let keptCount = 0;

/** Clicks `button` (Export screenshot), waits for the status line, and returns the files and their layouts. */
export async function exportScreenshot(page: Page, button: Locator = page.getByRole('button', { name: 'Export screenshot' })): Promise<ExportedScreenshot> {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const fileName = download.suggestedFilename();
  const bytes = readFileSync(await download.path());
  await expect.poll(() => page.getByTestId('export-status').textContent(), { timeout: 20_000 }).toMatch(new RegExp(`^Saved ${fileName.replace(/[.]/g, '\\.')} \\(`));
  const entries = fileName.endsWith('.zip')
    ? Object.entries(unzipSync(new Uint8Array(bytes))).sort(([a], [b]) => a.localeCompare(b)).map(([name, data]) => ({ name, bytes: Buffer.from(data) }))
    : [{ name: fileName, bytes }];
  const pngs = entries.map((entry) => ({ ...entry, size: pngSize(entry.bytes) }));
  // To look at what the tests exported: EXPORT_SCREENSHOT_DIR=/some/folder keeps every page there.
  const keepDir = process.env.EXPORT_SCREENSHOT_DIR;
  if (keepDir) {
    mkdirSync(keepDir, { recursive: true });
    for (const png of pngs) writeFileSync(join(keepDir, `${String(++keptCount).padStart(2, '0')}-${png.name}`), png.bytes);
  }
  return { fileName, pngs, layouts: await reportedLayouts(page) };
}

const inside = (inner: RectPx, outer: RectPx) =>
  inner.xPx >= outer.xPx - 0.01 && inner.yPx >= outer.yPx - 0.01 && inner.xPx + inner.widthPx <= outer.xPx + outer.widthPx + 0.01 && inner.yPx + inner.heightPx <= outer.yPx + outer.heightPx + 0.01;
const overlap = (a: RectPx, b: RectPx) => a.xPx < b.xPx + b.widthPx && b.xPx < a.xPx + a.widthPx && a.yPx < b.yPx + b.heightPx && b.yPx < a.yPx + a.heightPx;

/** What runs outside its box or its page, or overlaps another box or a picture: empty when the page is clean. */
export function layoutProblems(layout: ReportedPage): string[] {
  const problems: string[] = [];
  const pagePx = { xPx: 0, yPx: 0, widthPx: layout.widthPx, heightPx: layout.heightPx };
  for (const text of layout.texts) {
    if (!inside({ xPx: text.xPx, yPx: text.yPx, widthPx: text.widthPx, heightPx: text.lineHeightPx }, text.box)) problems.push(`"${text.text}" is ${text.widthPx.toFixed(1)} px in a ${text.box.widthPx} px box`);
    if (!inside(text.box, pagePx)) problems.push(`the box of "${text.text}" leaves the page`);
  }
  const boxes = [...new Map(layout.texts.map((t) => [JSON.stringify(t.box), t.box])).values(), ...layout.cells.map((c) => c.box), ...layout.swatches.map((s) => s.box), ...(layout.panels3d ?? []).map((p) => p.box)];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) if (overlap(boxes[i]!, boxes[j]!)) problems.push(`${JSON.stringify(boxes[i])} overlaps ${JSON.stringify(boxes[j])}`);
  }
  return problems;
}

/** The PNGs have the sizes the layout reports, and nothing on any page runs outside its box. */
export function expectCleanPages(shot: ExportedScreenshot): void {
  expect(shot.pngs.map((p) => p.size)).toEqual(shot.layouts.map((l) => ({ width: l.widthPx, height: l.heightPx })));
  for (const layout of shot.layouts) expect(layoutProblems(layout)).toEqual([]);
}

/** Image names shown as row titles, over every page in order (a long name wraps: its lines are joined). */
export function rowTitles(shot: ExportedScreenshot): string[] {
  return shot.layouts.flatMap((layout) => {
    const byBox = new Map<string, string>();
    for (const text of layout.texts.filter((t) => t.role === 'rowTitle')) {
      const key = JSON.stringify(text.box);
      byBox.set(key, (byBox.get(key) ?? '') + (byBox.has(key) ? ' ' : '') + text.text);
    }
    return [...byBox.values()];
  });
}
