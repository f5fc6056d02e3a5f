/**
 * The Node inference pipeline of the CLI: the same adapters, crops and 'still' mode as the browser worker
 * (src/inference/worker/inferenceWorker.ts), on the tfjs WASM backend. Keypoints come back in original-image
 * pixels (upright, EXIF applied).
 */

import '@tensorflow/tfjs-converter';
import type * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PersonRegion } from '../core/crops';
import type { ModelId, Pose } from '../core/types';
import { estimateBestPosePerCrop } from '../inference/cropEstimate';
import type { ModelAdapter } from '../inference/modelAdapter';
import { adapterFactory, modelInfo } from '../inference/modelRegistry';
import { warmUpAdapter } from '../inference/warmUp';
import { selectNodeWasmBackend } from '../node/nodeBackend';
import { decodeImageFile, imageTensor, type DecodedImage } from '../node/nodeImages';
import { nodeModelFiles } from '../node/nodeModelFiles';
import { InputError } from './args';

/** The repository's models/ folder (weights placed by `npm install` / `npm run models`). */
export const DEFAULT_MODELS_DIR = join(import.meta.dirname, '..', '..', 'models');

/** Throws a one-line InputError naming the missing weight files, before any tfjs work starts. */
export function requireModelFiles(modelIds: readonly ModelId[], modelsDir: string = DEFAULT_MODELS_DIR): void {
  const missing = [...new Set(modelIds.flatMap((id) => modelInfo(id).files.map((f) => f.name)))].filter((name) => !existsSync(join(modelsDir, name)));
  if (missing.length > 0) {
    throw new InputError(`model weights missing from ${modelsDir}: ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ', ...' : ''}; run \`npm run models\``);
  }
}

/** Starts the tfjs WASM backend (Node: single-threaded SIMD) and returns its name. */
export async function startBackend(): Promise<string> {
  return selectNodeWasmBackend();
}

/** Loads one model and warms it up exactly as the browser worker does (inference/warmUp), so first images are not timed cold. */
export async function loadWarmModel(modelId: ModelId, modelsDir: string = DEFAULT_MODELS_DIR): Promise<ModelAdapter> {
  const adapter = await adapterFactory(modelId)(modelInfo(modelId), { files: nodeModelFiles(modelsDir) });
  await warmUpAdapter(adapter);
  return adapter;
}

export interface ImageEstimate {
  /** Original-image pixels; under crops each pose carries its `cropIndex`. */
  poses: Pose[];
  /** Model time for the image, milliseconds: every inference it needed (as in the browser worker). */
  imageLatencyMs: number;
  /** 1 for the whole image; the number of person crops under 'crops'. */
  inferences: number;
}

/**
 * One model on one decoded image. Without `crops`: one 'still' estimate of the whole image. With `crops`
 * (original-image pixels, the 'crops' protocol): one estimate per crop, keeping each crop's best pose tagged
 * with its index, exactly like the browser worker's estimateCrops.
 */
export async function estimateImage(adapter: ModelAdapter, image: tf.Tensor3D, crops: readonly PersonRegion[] | null): Promise<ImageEstimate> {
  const startMs = performance.now();
  const poses: Pose[] = crops ? await estimateBestPosePerCrop(adapter, image, crops) : await adapter.estimate(image, { mode: 'still' });
  return { poses, imageLatencyMs: performance.now() - startMs, inferences: crops?.length ?? 1 };
}

export { decodeImageFile, type DecodedImage };

/** The decoded image as the int32 [height, width, 3] tensor the adapters take; the caller disposes it. */
export function toImageTensor(image: DecodedImage): tf.Tensor3D {
  return imageTensor(image);
}
