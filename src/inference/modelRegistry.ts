import manifestJson from '../../models/manifest.json';
import { parseModelManifest } from '../core/manifest';
import type { ModelId, ModelInfo, ModelManifest } from '../core/types';
import { loadBlazePose } from './adapters/blazepose';
import { loadMoveNet } from './adapters/movenet';
import { loadPoseNet } from './adapters/posenet';
import type { AdapterFactory } from './modelAdapter';

/**
 * Every selectable model: metadata from models/manifest.json, code from one adapter file.
 * Adding a model = one manifest entry + one line here (+ an adapter file for a new family).
 */
const ADAPTERS: Record<string, AdapterFactory> = {
  'movenet-lightning': loadMoveNet,
  'movenet-thunder': loadMoveNet,
  'movenet-multipose': loadMoveNet,
  'blazepose-lite': loadBlazePose,
  'blazepose-full': loadBlazePose,
  'blazepose-heavy': loadBlazePose,
  'posenet-mobilenet': loadPoseNet,
};

export const MODEL_MANIFEST: ModelManifest = parseModelManifest(manifestJson);
export const MODELS: readonly ModelInfo[] = MODEL_MANIFEST.models;
export const MODEL_IDS: readonly ModelId[] = MODELS.map((m) => m.id);

export function modelInfo(id: ModelId): ModelInfo {
  const info = MODELS.find((m) => m.id === id);
  if (!info) throw new Error(`unknown model id '${id}'`);
  return info;
}

export function adapterFactory(id: ModelId): AdapterFactory {
  const factory = ADAPTERS[id];
  if (!factory) throw new Error(`no adapter registered for model '${id}'`);
  return factory;
}

export function isModelId(value: string): value is ModelId {
  return (MODEL_IDS as readonly string[]).includes(value);
}
