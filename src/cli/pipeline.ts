/**
 * The CLI's side of the one inference pipeline (src/inference/pipeline.ts, which the browser worker runs too): the
 * tfjs WASM backend in Node, weights from models/, warmed-up models. Keypoints come back in original-image pixels
 * (upright, EXIF applied).
 */

import '@tensorflow/tfjs-converter';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelId } from '../core/types';
import type { ModelAdapter } from '../inference/modelAdapter';
import { modelInfo } from '../inference/modelRegistry';
import { loadModelAdapter, warmUpAdapter, type ModelEstimate } from '../inference/pipeline';
import { selectNodeWasmBackend } from '../node/nodeBackend';
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
  const adapter = await loadModelAdapter(modelInfo(modelId), { files: nodeModelFiles(modelsDir) });
  try {
    await warmUpAdapter(adapter);
  } catch (error) {
    adapter.dispose();
    throw error;
  }
  return adapter;
}

/**
 * One model's result on one image, as the pipeline gives it (inference/pipeline ModelEstimate): original-image
 * poses (under crops each with its `cropIndex`), model time per image, inference count, runtime and backend.
 */
export type ImageEstimate = Omit<ModelEstimate, 'modelId'>;
