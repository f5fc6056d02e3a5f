import { twinGroup } from '../core/fastestRuntime';
import type { BackendName, ModelId } from '../core/types';
import { MODELS } from '../inference/modelCatalogue';
import { useAppStore } from './appStore';
import { applyAutoRuntime } from './autoRuntime';
import { runBenchmark, type BenchmarkImage, type BenchmarkOptions, type BenchmarkReport } from './benchmarkRunner';
import type { InferenceController } from './inferenceController';

export interface BenchmarkRequest {
  modelIds?: ModelId[];
  backends?: BackendName[];
  imageCount?: number;
  wasmThreadCounts?: number[];
  leakCheckInferences?: number;
  /**
   * Also measure the user's job: `jobImageCount` images (default: `imageCount`) × all `modelIds` together
   * on WASM with the default threads, as the gallery runs them. Off unless asked.
   */
  job?: boolean;
  jobImageCount?: number;
  /** The job's models, where they are not all of `modelIds` (the rows may add runtime twins the user's job does not run). */
  jobModelIds?: ModelId[];
  /** Rounds of the job (the median round is reported); default 1. */
  jobRounds?: number;
  /** WASM threads for the job (diagnosis); default: the app's default. */
  jobWasmThreads?: number;
  signal?: AbortSignal;
}

/** Default images per model × backend in the app (the bench command asks for more). */
export const DEFAULT_BENCHMARK_IMAGES = 20;

/**
 * Runs a benchmark on the user's added images (gallery work paused meanwhile), with progress in
 * the store, and keeps the report for the screen and the exports.
 */
export async function runBenchmarkSession(controller: InferenceController, request: BenchmarkRequest): Promise<BenchmarkReport> {
  const store = useAppStore.getState();
  if (store.benchmarkRunning) throw new Error('a benchmark is already running');
  const images: BenchmarkImage[] = store.images
    .filter((im) => im.status === 'ready')
    .map((im) => ({ file: im.file, name: im.name, widthPx: im.widthPx, heightPx: im.heightPx }));
  if (images.length === 0) throw new Error('add images (or load the samples) to benchmark on');
  const imageCount = request.imageCount ?? DEFAULT_BENCHMARK_IMAGES;
  const options: BenchmarkOptions = {
    modelIds: request.modelIds ?? store.selectedModelIds,
    backends: request.backends ?? (store.backend.active ? [store.backend.active] : ['wasm']),
    imageCount,
    images,
    ...(request.wasmThreadCounts ? { wasmThreadCounts: request.wasmThreadCounts } : {}),
    leakCheckInferences: request.leakCheckInferences ?? 0,
    jobImageCount: request.job ? (request.jobImageCount ?? imageCount) : 0,
    ...(request.jobModelIds ? { jobModelIds: request.jobModelIds } : {}),
    ...(request.jobRounds !== undefined ? { jobRounds: request.jobRounds } : {}),
    ...(request.jobWasmThreads !== undefined ? { jobWasmThreads: request.jobWasmThreads } : {}),
    onProgress: (text, fraction) => useAppStore.getState().setBenchmarkProgress({ text, fraction }),
    ...(request.signal ? { signal: request.signal } : {}),
  };
  store.setBenchmarkRunning(true);
  controller.setPausedForBenchmark(true);
  try {
    const report = await runBenchmark(options);
    useAppStore.getState().setBenchmarkReport(report);
    applyAutoRuntime(new Set(report.rows.map((r) => twinGroup(r.modelId, MODELS))));
    return report;
  } finally {
    controller.setPausedForBenchmark(false);
    useAppStore.getState().setBenchmarkRunning(false);
    useAppStore.getState().setBenchmarkProgress(null);
  }
}
