/**
 * The bootstrap as one job: each column's per-image table (one exact COCO evaluation per column), then the
 * resampling, reporting progress between chunks. The worker runs it; where there is no worker (Node, tests) the
 * page or the CLI runs it directly.
 */
import { columnErrorsWithDetail } from '../core/evaluation/errorSummary';
import { runBootstrap, type BootstrapReport } from '../core/metrics/bootstrap';
import { prepareBootstrapColumn, type BootstrapColumnTable } from '../core/metrics/bootstrapTable';
import type { BootstrapPhase, BootstrapRequest, ColumnErrorAnalysis, ImageErrors } from './analysisProtocol';

export type BootstrapProgress = (phase: BootstrapPhase, done: number, total: number) => void;

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function runBootstrapJob(request: BootstrapRequest, onProgress: BootstrapProgress, signal?: AbortSignal): Promise<BootstrapReport> {
  const tables: BootstrapColumnTable[] = [];
  for (const [i, column] of request.columns.entries()) {
    onProgress('preparing', i, request.columns.length);
    signal?.throwIfAborted();
    tables.push(
      prepareBootstrapColumn({
        columnId: column.columnId,
        displayName: column.displayName,
        gt: request.gt,
        imageIds: request.imageIds,
        results: column.results,
        ...(column.imageLatencyMs ? { imageLatencyMs: column.imageLatencyMs } : {}),
        pck: request.pck,
      }),
    );
    // A cancel (new results arrived) gets through between columns.
    await nextTask();
  }
  return runBootstrap(tables, {
    resamples: request.resamples,
    seed: request.seed,
    onProgress: (done, total) => onProgress('resampling', done, total),
    ...(signal ? { signal } : {}),
  });
}

/**
 * The coco-analyze taxonomy of every column of `request` on its images, with per-image labels for the views that
 * filter by error type. A column the tool cannot analyse comes back with its reason (`summary.unavailable`).
 */
export async function runErrorAnalysisJob(request: BootstrapRequest, onProgress: BootstrapProgress, signal?: AbortSignal): Promise<ColumnErrorAnalysis[]> {
  const out: ColumnErrorAnalysis[] = [];
  const imageOrder = new Map(request.imageIds.map((id, i) => [id, i]));
  for (const [i, column] of request.columns.entries()) {
    onProgress('errors', i, request.columns.length);
    signal?.throwIfAborted();
    const { summary, result } = columnErrorsWithDetail(column.columnId, column.displayName, request.gt, column.results);
    const byImage = new Map<number, ImageErrors>();
    const entry = (gtImageId: number) => {
      let image = byImage.get(gtImageId);
      if (!image) byImage.set(gtImageId, (image = { gtImageId, detections: [], backgroundFalsePositives: 0 }));
      return image;
    };
    if (result) {
      for (const detection of result.localization.detections) entry(detection.imageId).detections.push({ labels: detection.labels.join(''), oks: detection.oks });
      for (const index of result.background.falsePositivesAtAllThresholds) {
        const detection = column.results[index];
        if (detection) entry(detection.image_id).backgroundFalsePositives++;
      }
    }
    out.push({ summary, images: [...byImage.values()].sort((a, b) => (imageOrder.get(a.gtImageId) ?? 0) - (imageOrder.get(b.gtImageId) ?? 0)) });
    await nextTask();
  }
  onProgress('errors', request.columns.length, request.columns.length);
  return out;
}
