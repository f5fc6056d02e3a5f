import type { ModelFamily, ModelInfo, RuntimeName } from '../core/types';
import { BLAZEPOSE_FAMILY } from './adapters/blazepose';
import { BLAZEPOSE_LITERT_FAMILY } from './adapters/blazePoseLiteRt';
import { BLAZEPOSE_SOLUTION_FAMILY } from './adapters/blazePoseSolution';
import { FACE_MESH_FAMILY } from './adapters/faceMesh';
import { FACE_MESH_LITERT_FAMILY } from './adapters/faceMeshLiteRt';
import { FACE_MESH_SOLUTION_FAMILY } from './adapters/faceMeshSolution';
import { MEDIAPIPE_HANDS_FAMILY } from './adapters/mediapipeHands';
import { MEDIAPIPE_HANDS_LITERT_FAMILY } from './adapters/mediapipeHandsLiteRt';
import { MEDIAPIPE_HANDS_SOLUTION_FAMILY } from './adapters/mediapipeHandsSolution';
import { MOVENET_FAMILY } from './adapters/movenet';
import { POSENET_FAMILY } from './adapters/posenet';
import type { AdapterFactory, AdapterFamily } from './modelAdapter';
import { modelRuntime } from './modelConfig';
import { LITERT_RUNTIME, liteRtThreads } from './runtimes/litert';

export { DEFAULT_MODEL_IDS, MODELS, MODEL_IDS, MODEL_MANIFEST, isModelId, modelInfo } from './modelCatalogue';

/**
 * The code behind each model family of models/manifest.json, per runtime. No model id appears here: a model
 * of a known family is one manifest entry (its `family`, `runtime` and `config`); a new family is one adapter
 * file and one line here.
 */
const FAMILIES: Readonly<Record<ModelFamily, readonly AdapterFamily[]>> = {
  movenet: [MOVENET_FAMILY],
  blazepose: [BLAZEPOSE_FAMILY, BLAZEPOSE_LITERT_FAMILY, BLAZEPOSE_SOLUTION_FAMILY],
  posenet: [POSENET_FAMILY],
  'mediapipe-hands': [MEDIAPIPE_HANDS_FAMILY, MEDIAPIPE_HANDS_LITERT_FAMILY, MEDIAPIPE_HANDS_SOLUTION_FAMILY],
  facemesh: [FACE_MESH_FAMILY, FACE_MESH_LITERT_FAMILY, FACE_MESH_SOLUTION_FAMILY],
};

/** Per runtime with its own module, the threads it runs on in this thread's module once loaded (tfjs: the backend's). */
const RUNTIME_THREADS: Readonly<Record<RuntimeName, () => number | null>> = { [LITERT_RUNTIME]: liteRtThreads };

export function runtimeThreads(runtime: RuntimeName): number | null {
  return Object.hasOwn(RUNTIME_THREADS, runtime) ? RUNTIME_THREADS[runtime]!() : null;
}

/** The families and runtimes there is code for, e.g. `movenet/tfjs`. */
export const ADAPTER_KEYS: readonly string[] = Object.entries(FAMILIES).flatMap(([family, list]) => list.map((entry) => `${family}/${entry.runtime}`));

function adapterFamily(family: ModelFamily, runtime: RuntimeName): AdapterFamily | null {
  return (Object.hasOwn(FAMILIES, family) ? FAMILIES[family] : undefined)?.find((entry) => entry.runtime === runtime) ?? null;
}

/** The family code for a manifest entry; throws naming what is missing. */
function familyOf(info: ModelInfo): AdapterFamily {
  const runtime = modelRuntime(info);
  const entry = adapterFamily(info.family, runtime);
  if (!entry) throw new Error(`${info.id}: no adapter for family '${info.family}' on runtime '${runtime}' (there are: ${ADAPTER_KEYS.join(', ')})`);
  return entry;
}

/** The loader of a manifest entry's model (by its family and runtime). */
export function adapterFactory(info: ModelInfo): AdapterFactory {
  return familyOf(info).load;
}

/** Throws when the entry has no adapter or its `config` is not what its family reads (tests check every entry). */
export function checkModelAdapter(info: ModelInfo): void {
  familyOf(info).checkConfig(info);
}
