import manifestJson from '../../models/manifest.json';
import { parseModelManifest } from '../core/manifest';
import type { ModelId, ModelInfo, ModelManifest } from '../core/types';

/**
 * Model metadata from models/manifest.json. Kept apart from the adapters (modelRegistry.ts) so the
 * UI thread can list models without bundling tfjs, which only the worker needs.
 */
export const MODEL_MANIFEST: ModelManifest = parseModelManifest(manifestJson);
export const MODELS: readonly ModelInfo[] = MODEL_MANIFEST.models;
export const MODEL_IDS: readonly ModelId[] = MODELS.map((m) => m.id);
/**
 * The models a new session (and `keypoint-bench eval` without --models, and the quick benchmark) runs: the entries
 * the manifest marks `defaultSelected`, so no code names a model.
 */
export const DEFAULT_MODEL_IDS: readonly ModelId[] = MODELS.filter((m) => m.defaultSelected === true).map((m) => m.id);

export function modelInfo(id: ModelId): ModelInfo {
  const info = MODELS.find((m) => m.id === id);
  if (!info) throw new Error(`unknown model id '${id}'`);
  return info;
}

export function isModelId(value: string): value is ModelId {
  return (MODEL_IDS as readonly string[]).includes(value);
}
