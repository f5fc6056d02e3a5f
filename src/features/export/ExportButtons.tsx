import { useState } from 'react';
import { renderScreenshotPng } from '../../render/screenshot';
import { useAppStore } from '../../store/appStore';
import { downloadBlob } from '../../ui/download';
import { buildScreenshotSpec } from './buildScreenshot';

async function makePng(): Promise<{ blob: Blob; fileName: string; widthPx: number; heightPx: number }> {
  const { spec, ownedBitmaps, fileStem } = await buildScreenshotSpec(useAppStore.getState());
  try {
    const blob = await renderScreenshotPng(spec);
    const bitmap = await createImageBitmap(blob);
    const size = { widthPx: bitmap.width, heightPx: bitmap.height };
    bitmap.close();
    return { blob, fileName: `${fileStem}.png`, ...size };
  } finally {
    for (const bitmap of ownedBitmaps) bitmap.close();
  }
}

/** "Export screenshot" downloads the current comparison as PNG; "Copy screenshot" puts it on the clipboard. */
export function ExportButtons() {
  const pushNotice = useAppStore((s) => s.pushNotice);
  const hasImages = useAppStore((s) => s.images.some((im) => im.status === 'ready'));
  const [status, setStatus] = useState<string>('');
  const [busy, setBusy] = useState(false);

  const run = async (action: 'download' | 'copy') => {
    setBusy(true);
    try {
      const png = await makePng();
      if (action === 'download') {
        downloadBlob(png.blob, png.fileName);
        setStatus(`Saved ${png.fileName} (${png.widthPx}×${png.heightPx})`);
      } else {
        await navigator.clipboard.write([new ClipboardItem({ 'image/png': png.blob })]);
        setStatus(`Copied a ${png.widthPx}×${png.heightPx} PNG to the clipboard`);
      }
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
      <div className="row-buttons">
        <button type="button" disabled={!hasImages || busy} onClick={() => void run('download')}>
          Export screenshot
        </button>
        <button type="button" disabled={!hasImages || busy} onClick={() => void run('copy')}>
          Copy screenshot
        </button>
      </div>
      <p className="hint" role="status" data-testid="export-status">
        {status || 'Captures the side-by-side view, or the gallery rows on screen, with a legend.'}
      </p>
    </section>
  );
}
