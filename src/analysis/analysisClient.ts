/** Runs analysis jobs (intervals, error taxonomy) in the analysis worker (or here, where there are no workers), one at a time. */
import type { AnalysisReport, BootstrapRequest, FromAnalysisWorker, ToAnalysisWorker } from './analysisProtocol';
import { runBootstrapJob, runErrorAnalysisJob, type BootstrapProgress } from './bootstrapJob';

let worker: Worker | null | undefined;
let nextId = 0;
const waiting = new Map<number, { onProgress: BootstrapProgress; resolve: (report: AnalysisReport) => void; reject: (error: Error) => void }>();

function analysisWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (typeof Worker === 'undefined') return (worker = null);
  try {
    worker = new Worker(new URL('./analysisWorker.ts', import.meta.url), { type: 'module', name: 'analysis' });
  } catch {
    return (worker = null);
  }
  worker.onmessage = (event: MessageEvent<FromAnalysisWorker>) => {
    const message = event.data;
    const entry = waiting.get(message.id);
    if (!entry) return;
    if (message.type === 'progress') entry.onProgress(message.phase, message.done, message.total);
    else {
      waiting.delete(message.id);
      if (message.type === 'done') entry.resolve(message.report);
      else entry.reject(new Error(message.message));
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    for (const [id, entry] of waiting) {
      waiting.delete(id);
      entry.reject(new Error(`the analysis worker stopped (${event.message || 'out of memory?'})`));
    }
    worker?.terminate();
    worker = undefined;
  };
  return worker;
}

/** Rejects with an AbortError when `signal` aborts (the worker stops the job between chunks). */
export function computeAnalysis(request: BootstrapRequest, onProgress: BootstrapProgress, signal: AbortSignal): Promise<AnalysisReport> {
  const target = analysisWorker();
  if (!target) {
    return (async () => {
      const bootstrap = await runBootstrapJob(request, onProgress, signal);
      return { bootstrap, errors: request.errorAnalysis ? await runErrorAnalysisJob(request, onProgress, signal) : null };
    })();
  }
  const id = ++nextId;
  return new Promise<AnalysisReport>((resolve, reject) => {
    waiting.set(id, { onProgress, resolve, reject });
    const start: ToAnalysisWorker = { type: 'bootstrap', id, request };
    target.postMessage(start);
    signal.addEventListener(
      'abort',
      () => {
        if (!waiting.delete(id)) return;
        const cancel: ToAnalysisWorker = { type: 'cancel', id };
        target.postMessage(cancel);
        reject(signal.reason instanceof Error ? signal.reason : new DOMException('cancelled', 'AbortError'));
      },
      { once: true },
    );
  });
}
