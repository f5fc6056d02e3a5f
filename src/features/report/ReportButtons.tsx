import { useState } from 'react';
import { reportHtml, type ReportHtmlInput } from '../../render/reportHtml';
import { useAppStore } from '../../store/appStore';
import { awaitIntervals, useIntervals } from '../../store/intervals';
import { downloadBlob, timestampStem } from '../../ui/download';
import { buildReportInput } from './buildReport';
import reportCss from './report.css?raw';
import reportCssUrl from './report.css?url';

/** How long an export waits for intervals still being computed before it writes "intervals pending" instead. */
const INTERVALS_WAIT_MS = 120_000;
/** The print tab's blob: URL lives this long: long enough to print, reload or save it. */
const PRINT_URL_LIFETIME_MS = 10 * 60_000;

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`);

/**
 * "Export report" downloads one self-contained HTML page (verdict, intervals, metrics, charts, error taxonomy, worst
 * cases, provenance) to forward as one file; "Print / PDF" opens the same page in a new tab to print with the
 * browser's own command (the page has no script, so no print button).
 */
export function ReportButtons() {
  const hasImages = useAppStore((s) => s.images.some((im) => im.status === 'ready'));
  const pushNotice = useAppStore((s) => s.pushNotice);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [lastBytes, setLastBytes] = useState<number | null>(null);

  const run = async (action: 'download' | 'print') => {
    setBusy(true);
    try {
      if (useAppStore.getState().groundTruth) {
        // Computed on demand (the gallery does not need them): asked for now, and waited for.
        setStatus('Waiting for the bootstrap intervals…');
        await awaitIntervals(INTERVALS_WAIT_MS);
      }
      // The print tab is a blob: document under the app's CSP, which refuses inline style: it links the same
      // stylesheet from this origin instead. The downloaded file carries it inline.
      const stylesheet: ReportHtmlInput['stylesheet'] = action === 'download' ? { kind: 'inline', css: reportCss } : { kind: 'link', href: new URL(reportCssUrl, window.location.href).href };
      const input = await buildReportInput(
        { state: useAppStore.getState(), intervals: useIntervals.getState() },
        { stylesheet, onProgress: (done, total) => setStatus(total > 0 ? `Drawing worst cases ${done}/${total}…` : 'Writing the report…') },
      );
      const blob = new Blob([reportHtml(input)], { type: 'text/html' });
      setLastBytes(blob.size);
      const pending = input.notices.length > 0 ? ` — ${input.notices[0]!.split(':')[0]}` : '';
      if (action === 'download') {
        const fileName = `keypoint-bench-${timestampStem()}-report.html`;
        downloadBlob(blob, fileName);
        setStatus(`Saved ${fileName} (${sizeText(blob.size)})${pending}`);
      } else {
        const url = URL.createObjectURL(blob);
        const link = document.createElement('a');
        link.href = url;
        link.target = '_blank';
        link.rel = 'noopener';
        link.click();
        setTimeout(() => URL.revokeObjectURL(url), PRINT_URL_LIFETIME_MS);
        setStatus(`Opened the report in a new tab: print it with the browser’s Print command (Ctrl+P / ⌘P), “Save as PDF”${pending}`);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      pushNotice('export', `Report failed: ${message}`);
      setStatus('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel report-export" aria-labelledby="report-heading">
      <h2 id="report-heading">Report</h2>
      <div className="row-buttons">
        <button type="button" disabled={!hasImages || busy} onClick={() => void run('download')}>
          Export report
        </button>
        <button type="button" disabled={!hasImages || busy} onClick={() => void run('print')}>
          Print / PDF
        </button>
      </div>
      <p className="hint" role="status" data-testid="report-status" data-bytes={lastBytes ?? ''}>
        {status || 'One HTML file with the verdict, intervals, metrics, charts, error taxonomy, worst cases and provenance, to forward as is or print to PDF.'}
      </p>
    </section>
  );
}
