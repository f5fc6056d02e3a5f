/// <reference lib="webworker" />
/**
 * The analysis worker: bootstrap intervals and the coco-analyze error taxonomy (seeded resampling of images, ~1 s for 7 models × 40 images × 1,000
 * resamples on a 2-core machine) off the page's thread, with progress. One job at a time: a new request or a
 * cancel stops the one running, since its inputs are out of date.
 */
import type { AnalysisReport, BootstrapPhase, FromAnalysisWorker, ToAnalysisWorker } from './analysisProtocol';
import { runBootstrapJob, runErrorAnalysisJob } from './bootstrapJob';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const running = new Map<number, AbortController>();

const reply = (message: FromAnalysisWorker) => scope.postMessage(message);

scope.onmessage = (event: MessageEvent<ToAnalysisWorker>) => {
  const message = event.data;
  if (message.type === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  for (const controller of running.values()) controller.abort();
  const controller = new AbortController();
  running.set(message.id, controller);
  const { id } = message;
  const progress = (phase: BootstrapPhase, done: number, total: number) => reply({ type: 'progress', id, phase, done, total });
  const job = async (): Promise<AnalysisReport> => {
    const bootstrap = await runBootstrapJob(message.request, progress, controller.signal);
    const errors = message.request.errorAnalysis ? await runErrorAnalysisJob(message.request, progress, controller.signal) : null;
    return { bootstrap, errors };
  };
  job()
    .then(
      (report) => {
        if (!controller.signal.aborted) reply({ type: 'done', id, report });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) reply({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
      },
    )
    .finally(() => running.delete(id));
};
