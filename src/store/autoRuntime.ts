/**
 * Auto runtime: each chosen model runs on the twin (the same pretrained model on another runtime, the manifest's
 * `sameModelAs`) that the latest benchmark measured fastest on this device, among what can run here now (core's
 * `autoRuntimeChoices`). Applied when a benchmark ends, when a model is newly chosen, and when Auto is turned on,
 * never on its own otherwise: a restored session keeps its selection, and a user's own pick of a slower twin
 * stays until one of those happens.
 */
import {
  autoRuntimeChoices,
  autoSelection,
  autoSkipsRuntime,
  twinGroup,
  withTwins,
  type AutoRuntimeContext,
  type FastestChoice,
} from '../core/fastestRuntime';
import type { ModelId } from '../core/types';
import { MODELS, MODEL_MANIFEST, modelInfo } from '../inference/modelCatalogue';
import { useAppStore, type AppState } from './appStore';
import { benchmarkConfigLabel } from './benchmarkRunner';

/** Images per configuration when Auto measures runtimes itself: the median of 5 images separates 1.2× apart on 2 cores. */
export const AUTO_MEASURE_IMAGES = 5;

export function autoRuntimeContext(state: Pick<AppState, 'backend'>): AutoRuntimeContext {
  const probes = state.backend.decision?.probes ?? [];
  return { activeBackend: state.backend.active, softwareBackends: probes.filter((p) => p.available && p.software).map((p) => p.backend) };
}

export function autoChoices(state: Pick<AppState, 'backend' | 'benchmarkReport'>): FastestChoice[] {
  const rows = state.benchmarkReport?.rows ?? [];
  return autoRuntimeChoices(
    rows.map((r) => ({ ...r, configLabel: benchmarkConfigLabel(r) })),
    MODELS,
    MODEL_MANIFEST.runtimes,
    autoRuntimeContext(state),
  );
}

/** The twin groups (by the model they are twins of) of the chosen models that have a twin at all. */
export function groupsWithTwins(ids: readonly ModelId[]): ModelId[] {
  const groups = [...new Set(ids.map((id) => twinGroup(id, MODELS)))];
  return groups.filter((g) => withTwins([g], MODELS).length > 1);
}

/** What Auto would measure for these groups: every twin whose runtime can run here (not a software GPU), whole-image models only. */
export function autoMeasureModelIds(state: Pick<AppState, 'backend'>, groups: readonly ModelId[]): { modelIds: ModelId[]; skipped: string[] } {
  const context = autoRuntimeContext(state);
  const modelIds: ModelId[] = [];
  const skipped: string[] = [];
  for (const id of withTwins(groups, MODELS)) {
    const info = modelInfo(id);
    if (info.personInput === 'box') continue;
    const why = autoSkipsRuntime(info.runtime, MODEL_MANIFEST.runtimes, context);
    if (why === null) modelIds.push(id);
    else skipped.push(`${info.displayName}: ${why}`);
  }
  return { modelIds, skipped: [...new Set(skipped)] };
}

/**
 * Applies Auto to the groups given (all when absent) if it is on. Returns the models swapped in (the Models
 * panel says why each runs where it does).
 */
export function applyAutoRuntime(groups?: ReadonlySet<ModelId>): ModelId[] {
  const state = useAppStore.getState();
  if (!state.runtimeAuto) return [];
  const choices = autoChoices(state);
  const next = autoSelection(state.selectedModelIds, choices, MODELS, groups);
  const swappedIn = next.filter((id) => !state.selectedModelIds.includes(id));
  if (swappedIn.length === 0) return [];
  state.setSelectedModels([...new Set(next)]);
  return swappedIn;
}
