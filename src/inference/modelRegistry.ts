import type { ModelId } from '../core/types';
import { loadBlazePose } from './adapters/blazepose';
import { loadMoveNet } from './adapters/movenet';
import { loadPoseNet } from './adapters/posenet';
import type { AdapterFactory } from './modelAdapter';

export { MODELS, MODEL_IDS, MODEL_MANIFEST, isModelId, modelInfo } from './modelCatalogue';

/**
 * The code behind each model id of models/manifest.json.
 * Adding a model = one manifest entry + one line here (+ an adapter file for a new family).
 */
const ADAPTERS: Record<string, AdapterFactory> = {
  'movenet-lightning': loadMoveNet,
  'movenet-thunder': loadMoveNet,
  'movenet-multipose': loadMoveNet,
  'blazepose-lite': loadBlazePose,
  'blazepose-full': loadBlazePose,
  'blazepose-heavy': loadBlazePose,
  'blazepose-lite-box': loadBlazePose,
  'blazepose-full-box': loadBlazePose,
  'blazepose-heavy-box': loadBlazePose,
  'posenet-mobilenet': loadPoseNet,
};

export function adapterFactory(id: ModelId): AdapterFactory {
  const factory = ADAPTERS[id];
  if (!factory) throw new Error(`no adapter registered for model '${id}'`);
  return factory;
}
