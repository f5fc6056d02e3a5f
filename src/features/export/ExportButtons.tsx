import { Zip, ZipPassThrough } from 'fflate';
import { useState } from 'react';
import { renderScreenshotPng, type ScreenshotPageLayout } from '../../render/screenshot';
import type { ScreenshotThemeName } from '../../render/screenshotTheme';
import { useAppStore } from '../../store/appStore';
import { awaitIntervals } from '../../store/intervals';
import { downloadBlob } from '../../ui/download';
import { screenshotJob } from './buildScreenshot';

/** Pages whose layout the status line reports: enough for any test, without megabytes of attribute for a huge grid. */
const REPORTED_PAGES_MAX = 20;

/** What the last export laid out, per page: sizes, every text with its measured width and box, the cells (read by tests). */
function layoutReport(layouts: readonly ScreenshotPageLayout[]): string {
  return JSON.stringify(
    layouts.slice(0, REPORTED_PAGES_MAX).map((layout) => ({
      widthPx: layout.widthPx,
      heightPx: layout.heightPx,
      theme: layout.theme.name,
      texts: layout.texts.map(({ role, text, xPx, yPx, widthPx, lineHeightPx, box }) => ({ role, text, xPx, yPx, widthPx, lineHeightPx, box })),
      cells: layout.cells,
      swatches: layout.swatches.map(({ kind, box }) => ({ kind, box })),
      panels3d: layout.panels3d,
    })),
  );
}

/**
 * A zip of pages stored as they are (PNG is compressed already), written as each page is rendered, so a large grid
 * never holds every page twice.
 */
function zipWriter(): { add: (name: string, blob: Blob) => Promise<void>; finish: () => Blob } {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let failure: Error | null = null;
  // Pass-through entries hand their chunks over synchronously, as each is pushed.
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else parts.push(chunk as Uint8Array<ArrayBuffer>);
  });
  return {
    add: async (name, blob) => {
      const entry = new ZipPassThrough(name);
      zip.add(entry);
      entry.push(new Uint8Array(await blob.arrayBuffer()), true);
    },
    finish: () => {
      zip.end();
      if (failure) throw failure;
      return new Blob(parts, { type: 'application/zip' });
    },
  };
}

const sizeText = (layout: ScreenshotPageLayout) => `${layout.widthPx}×${layout.heightPx}`;

/**
 * "Export screenshot" downloads what the comparison shows as PNG (a large grid as numbered contact sheets in one
 * zip); "Copy screenshot" puts the first page on the clipboard. The look is dark as on screen, or light for print.
 */
export function ExportButtons() {
  const pushNotice = useAppStore((s) => s.pushNotice);
  const hasImages = useAppStore((s) => s.images.some((im) => im.status === 'ready'));
  const [theme, setTheme] = useState<ScreenshotThemeName>('dark');
  const [status, setStatus] = useState<string>('');
  const [layoutJson, setLayoutJson] = useState<string>('[]');
  const [busy, setBusy] = useState(false);

  const run = async (action: 'download' | 'copy') => {
    setBusy(true);
    try {
      // A saved screenshot carries the verdict on the intervals (computed on demand); a copy cannot wait for
      // them (the clipboard needs the click's own moment), so it takes what is there.
      if (action === 'download' && useAppStore.getState().groundTruth) {
        setStatus('Waiting for the bootstrap intervals…');
        await awaitIntervals();
      }
      const job = screenshotJob(useAppStore.getState(), theme);
      const first = await job.withPage(0, renderScreenshotPng);
      const layouts = [first.layout];
      if (action === 'copy') {
        await navigator.clipboard.write([new ClipboardItem({ 'image/png': first.blob })]);
        const more = job.pages.length > 1 ? ` (page 1 of ${job.pages.length}; Export screenshot saves them all)` : '';
        setStatus(`Copied a ${sizeText(first.layout)} PNG to the clipboard${more}`);
      } else if (job.pages.length === 1) {
        const fileName = `${job.fileStem}.png`;
        downloadBlob(first.blob, fileName);
        setStatus(`Saved ${fileName} (${sizeText(first.layout)})`);
      } else {
        const digits = String(job.pages.length).length;
        const pageName = (index: number) => `${job.fileStem}-page-${String(index + 1).padStart(digits, '0')}.png`;
        const zip = zipWriter();
        await zip.add(pageName(0), first.blob);
        for (let index = 1; index < job.pages.length; index++) {
          const page = await job.withPage(index, renderScreenshotPng);
          layouts.push(page.layout);
          await zip.add(pageName(index), page.blob);
        }
        const fileName = `${job.fileStem}-screenshots.zip`;
        downloadBlob(zip.finish(), fileName);
        const sizes = [...new Set(layouts.map(sizeText))];
        setStatus(`Saved ${fileName} (${layouts.length} pages: ${sizes.length <= 3 ? sizes.join(', ') : `${sizes.slice(0, 2).join(', ')}, …`})`);
      }
      setLayoutJson(layoutReport(layouts));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      pushNotice('export', `Screenshot failed: ${message}`);
      setStatus('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="export-heading">
      <h2 id="export-heading">Export</h2>
      <label className="inline">
        Look{' '}
        <select value={theme} onChange={(e) => setTheme(e.target.value === 'light' ? 'light' : 'dark')}>
          <option value="dark">Dark (as on screen)</option>
          <option value="light">Light (print)</option>
        </select>
      </label>
      <div className="row-buttons">
        <button type="button" disabled={!hasImages || busy} onClick={() => void run('download')}>
          Export screenshot
        </button>
        <button type="button" disabled={!hasImages || busy} onClick={() => void run('copy')}>
          Copy screenshot
        </button>
      </div>
      <p className="hint" role="status" data-testid="export-status" data-layout={layoutJson}>
        {status || 'Captures the side-by-side view as shown (zoom, all models on one image), or every image of the grid, with a legend.'}
      </p>
    </section>
  );
}
