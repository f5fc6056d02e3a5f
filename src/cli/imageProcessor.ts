/**
 * Runs every selected model on one image: decode (EXIF applied), then the one inference pipeline
 * (inference/pipeline.ts: inference size, person crops for the 'crops' protocol, each model in turn). The
 * in-process version lives here; workerPool.ts runs the same code in worker threads.
 */

import type { CocoKeypointsGroundTruth } from '../core/coco/cocoTypes';
import { cropTargets, type CropTarget } from '../core/evaluation/protocol';
import type { EvaluationProtocol } from '../core/evaluation/protocol';
import type { ImageSizePx, ModelId } from '../core/types';
import type { ModelAdapter } from '../inference/modelAdapter';
import { runPipeline } from '../inference/pipeline';
import { decodeImageFile, toRgbImage } from '../node/nodeImages';
import { loadWarmModel, type ImageEstimate } from './pipeline';

/** What a processor needs about one image: its file and, for 'crops', its ground truth (that image only). */
export interface ImageTask {
  imageId: number;
  path: string;
  /** The image's own ground truth (its image entry and annotations), for cropTargets. */
  gt: CocoKeypointsGroundTruth;
}

export interface ImageOutcome {
  imageId: number;
  /** Decoded, upright size in pixels. */
  sizePx: ImageSizePx;
  /** Under 'crops': the crops, in cropIndex order; empty for 'whole'. */
  targets: CropTarget[];
  /** Per model, in the requested order. */
  estimates: { modelId: ModelId; estimate: ImageEstimate }[];
}

export interface ImageProcessor {
  /** Decodes and runs every model; rejects when the image cannot be decoded (the caller skips it). */
  process(task: ImageTask, onModelDone?: (modelId: ModelId, estimate: ImageEstimate) => void): Promise<ImageOutcome>;
  close(): Promise<void>;
}

/** Runs one image through already-loaded adapters (shared by the in-process processor and the workers). */
export async function processImage(
  adapters: ReadonlyMap<ModelId, ModelAdapter>,
  protocol: EvaluationProtocol,
  task: ImageTask,
  onModelDone?: (modelId: ModelId, estimate: ImageEstimate) => void,
  backend = 'wasm',
): Promise<ImageOutcome> {
  const decoded = await decodeImageFile(task.path);
  const sizePx = { width: decoded.width, height: decoded.height };
  // Crops are clamped to the decoded image, which is what gets cropped (the GT size could disagree).
  const targets = protocol === 'crops' ? cropTargets(task.gt, task.imageId, sizePx) : [];
  const estimates: ImageOutcome['estimates'] = [];
  await runPipeline(
    // Large images are brought to the app's inference size by the pipeline; keypoints come back in these pixels.
    { pixels: toRgbImage(decoded), scaleToImagePx: 1 },
    [...adapters.keys()],
    { mode: 'still', crops: protocol === 'crops' ? targets : null },
    backend,
    {
      adapterFor: (modelId) => {
        const adapter = adapters.get(modelId);
        return adapter ? Promise.resolve(adapter) : Promise.reject(new Error(`${modelId} is not loaded`));
      },
      onEstimate: ({ modelId, ...estimate }) => {
        estimates.push({ modelId, estimate });
        onModelDone?.(modelId, estimate);
      },
      // One model failing fails the image (the caller reports and skips it), as before the shared pipeline.
      onError: (modelId, error) => {
        throw new Error(`${modelId}: ${error instanceof Error ? error.message : String(error)}`);
      },
    },
  );
  return { imageId: task.imageId, sizePx, targets, estimates };
}

/** Loads (and warms up) the models in this thread, in order. */
export async function loadAdapters(
  modelIds: readonly ModelId[],
  modelsDir: string,
  onLoaded?: (modelId: ModelId, loadMs: number) => void,
): Promise<Map<ModelId, ModelAdapter>> {
  const adapters = new Map<ModelId, ModelAdapter>();
  try {
    for (const id of modelIds) {
      const startMs = performance.now();
      adapters.set(id, await loadWarmModel(id, modelsDir));
      onLoaded?.(id, performance.now() - startMs);
    }
  } catch (error) {
    for (const adapter of adapters.values()) adapter.dispose();
    throw error;
  }
  return adapters;
}

/** Everything in the calling thread, one image at a time. */
export function inProcessProcessor(adapters: Map<ModelId, ModelAdapter>, protocol: EvaluationProtocol, backend = 'wasm'): ImageProcessor {
  return {
    process: (task, onModelDone) => processImage(adapters, protocol, task, onModelDone, backend),
    close: async () => {
      for (const adapter of adapters.values()) adapter.dispose();
      adapters.clear();
    },
  };
}
