/**
 * Runs every selected model on one image: decode (EXIF applied), person crops for the 'crops' protocol, then each
 * model in turn. The in-process version lives here; workerPool.ts runs the same code in worker threads.
 */

import type { CocoKeypointsGroundTruth } from '../core/coco/cocoTypes';
import { cropTargets, type CropTarget } from '../core/evaluation/protocol';
import type { EvaluationProtocol } from '../core/evaluation/protocol';
import type { ImageSizePx, ModelId } from '../core/types';
import type { ModelAdapter } from '../inference/modelAdapter';
import { personRegionInBitmapPx } from '../core/crops';
import { scalePoses } from '../core/geometry';
import { downscaleForInference } from '../node/nodeImages';
import { decodeImageFile, estimateImage, loadWarmModel, toImageTensor, type ImageEstimate } from './pipeline';

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
): Promise<ImageOutcome> {
  const decoded = await decodeImageFile(task.path);
  const sizePx = { width: decoded.width, height: decoded.height };
  // Crops are clamped to the decoded image, which is what gets cropped (the GT size could disagree).
  const targets = protocol === 'crops' ? cropTargets(task.gt, task.imageId, sizePx) : [];
  // Large images run at the app's inference size; crops move into those pixels and keypoints come back out.
  const { image: inferencePixels, scaleToImagePx } = downscaleForInference(decoded);
  const bitmapSize = { width: inferencePixels.width, height: inferencePixels.height };
  const persons = targets.map((target) => personRegionInBitmapPx(target, scaleToImagePx, bitmapSize));
  const tensor = toImageTensor(inferencePixels);
  try {
    const estimates: ImageOutcome['estimates'] = [];
    for (const [modelId, adapter] of adapters) {
      const inPixels = await estimateImage(adapter, tensor, protocol === 'crops' ? persons : null);
      const estimate = { ...inPixels, poses: scalePoses(inPixels.poses, scaleToImagePx) };
      estimates.push({ modelId, estimate });
      onModelDone?.(modelId, estimate);
    }
    return { imageId: task.imageId, sizePx, targets, estimates };
  } finally {
    tensor.dispose();
  }
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
export function inProcessProcessor(adapters: Map<ModelId, ModelAdapter>, protocol: EvaluationProtocol): ImageProcessor {
  return {
    process: (task, onModelDone) => processImage(adapters, protocol, task, onModelDone),
    close: async () => {
      for (const adapter of adapters.values()) adapter.dispose();
      adapters.clear();
    },
  };
}
