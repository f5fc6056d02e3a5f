/**
 * Which runtime × backend ran each model fastest in a benchmark, and why: a model and its twins on other
 * runtimes (the manifest's `sameModelAs`) are one model here, and every configuration measured for any of them
 * competes on the median per-image latency of the app's whole pipeline. Pure: the benchmark rows in, the choice
 * and its reason (every figure it was chosen from) out.
 */
import type { BackendName, ModelId, ModelInfo, RuntimeInfo, RuntimeName } from './types';

/** One measured configuration: what a benchmark row says (structurally, so core does not import the store). */
export interface MeasuredConfiguration {
  modelId: ModelId;
  runtime: RuntimeName;
  /** Where it ran, e.g. "wasm ×2" (the benchmark's own label). */
  configLabel: string;
  /** The backend it ran on: the tfjs backend for a tfjs model, the runtime's own for one that brings it (LiteRT: wasm). */
  backend: BackendName;
  status: 'ok' | 'failed';
  latencyP50Ms: number | null;
}

export interface FastestChoice {
  /** The model the twins are twins of (the entry without `sameModelAs`). */
  modelId: ModelId;
  displayName: string;
  /** The fastest configuration: which entry (the model or a twin) on what. */
  fastest: MeasuredConfiguration & { latencyP50Ms: number };
  /** Every other configuration measured, fastest first. */
  others: (MeasuredConfiguration & { latencyP50Ms: number })[];
  reason: string;
}

const msText = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** Groups of two or more measured configurations only: with one there is nothing to choose. In the models' order. */
export function fastestPerModel(
  rows: readonly MeasuredConfiguration[],
  models: readonly Pick<ModelInfo, 'id' | 'displayName' | 'sameModelAs'>[],
  runtimes: Readonly<Record<RuntimeName, RuntimeInfo>>,
): FastestChoice[] {
  const modelOf = new Map(models.map((m) => [m.id, m]));
  const groupOf = (id: ModelId) => modelOf.get(id)?.sameModelAs ?? id;
  const runtimeName = (runtime: RuntimeName) => (Object.hasOwn(runtimes, runtime) ? runtimes[runtime]!.displayName : runtime);
  const describe = (c: MeasuredConfiguration & { latencyP50Ms: number }) => `${runtimeName(c.runtime)} on ${c.configLabel} (${msText(c.latencyP50Ms)} ms)`;
  const choices: FastestChoice[] = [];
  for (const model of models) {
    if (model.sameModelAs !== undefined) continue;
    const measured = rows
      .filter((r): r is MeasuredConfiguration & { latencyP50Ms: number } => r.status === 'ok' && r.latencyP50Ms !== null && groupOf(r.modelId) === model.id)
      .sort((a, b) => a.latencyP50Ms - b.latencyP50Ms);
    const [fastest, ...others] = measured;
    if (!fastest || others.length === 0) continue;
    const runnerUp = others[0]!;
    const reason =
      `${model.displayName}: fastest on ${describe(fastest)}, ${(runnerUp.latencyP50Ms / fastest.latencyP50Ms).toFixed(2)}× faster than ` +
      `${describe(runnerUp)}${others.length > 1 ? `; also measured: ${others.slice(1).map(describe).join(', ')}` : ''} ` +
      '(median per-image latency through the app’s whole pipeline, this benchmark’s images)';
    choices.push({ modelId: model.id, displayName: model.displayName, fastest, others, reason });
  }
  return choices;
}

/**
 * The selection with each model swapped for its fastest measured twin (order kept, no duplicates). Only models
 * with a choice change; a chosen configuration's tfjs backend is not applied (one tfjs backend serves every model).
 */
export function selectFastest(selected: readonly ModelId[], choices: readonly FastestChoice[], models: readonly Pick<ModelInfo, 'id' | 'sameModelAs'>[]): ModelId[] {
  const groupOf = new Map(models.map((m) => [m.id, m.sameModelAs ?? m.id]));
  const fastestOf = new Map(choices.map((c) => [c.modelId, c.fastest.modelId]));
  const out: ModelId[] = [];
  for (const id of selected) {
    const swapped = fastestOf.get(groupOf.get(id) ?? id) ?? id;
    if (!out.includes(swapped)) out.push(swapped);
  }
  return out;
}

type ModelTwinInfo = Pick<ModelInfo, 'id' | 'sameModelAs'>;

/** The model an entry is a twin of (itself when it is no one's twin). */
export function twinGroup(id: ModelId, models: readonly ModelTwinInfo[]): ModelId {
  return models.find((m) => m.id === id)?.sameModelAs ?? id;
}

/** The given models with every twin of each (the same pretrained model on other runtimes), in the models' order. */
export function withTwins(ids: readonly ModelId[], models: readonly ModelTwinInfo[]): ModelId[] {
  const groups = new Set(ids.map((id) => twinGroup(id, models)));
  return models.map((m) => m.id).filter((id) => ids.includes(id) || groups.has(twinGroup(id, models)));
}

/** What Auto may run here: the tfjs backend in use, and which GPU backends are software renderers on this device. */
export interface AutoRuntimeContext {
  /** The tfjs backend every tfjs model runs on now; null while none has started (no tfjs row is then excluded). */
  activeBackend: BackendName | null;
  /** GPU backends found to be software (SwiftShader, a fallback adapter): a runtime executing on one is skipped. */
  softwareBackends: readonly BackendName[];
}

/** The backend a runtime's networks execute on: its own, or (tfjs) whichever tfjs backend is active. */
function ownBackend(runtime: RuntimeName, runtimes: Readonly<Record<RuntimeName, RuntimeInfo>>): BackendName | null {
  const on = Object.hasOwn(runtimes, runtime) ? runtimes[runtime]!.executesOn : 'backend';
  return on === 'backend' ? null : on.backend;
}

/** Why Auto may not run an entry here, or null: its runtime's own backend is a software GPU renderer on this device. */
export function autoSkipsRuntime(runtime: RuntimeName, runtimes: Readonly<Record<RuntimeName, RuntimeInfo>>, context: AutoRuntimeContext): string | null {
  const own = ownBackend(runtime, runtimes);
  if (own === null || !context.softwareBackends.includes(own)) return null;
  return `${Object.hasOwn(runtimes, runtime) ? runtimes[runtime]!.displayName : runtime} skipped: it runs on ${own}, a software renderer on this device`;
}

/**
 * Auto's choice per model: `fastestPerModel` over the configurations it can run now. A tfjs row measured on
 * another tfjs backend than the active one is left out (one tfjs backend serves every tfjs model, so it cannot
 * be had for one model alone), as is a runtime whose own GPU backend is a software renderer here; the reason
 * says what was left out and why.
 */
export function autoRuntimeChoices(
  rows: readonly MeasuredConfiguration[],
  models: readonly Pick<ModelInfo, 'id' | 'displayName' | 'sameModelAs'>[],
  runtimes: Readonly<Record<RuntimeName, RuntimeInfo>>,
  context: AutoRuntimeContext,
): FastestChoice[] {
  const leftOut = new Map<ModelId, string[]>();
  const usable = rows.filter((r) => {
    const own = ownBackend(r.runtime, runtimes);
    const why =
      own === null
        ? context.activeBackend !== null && r.backend !== context.activeBackend
          ? `${r.configLabel} not used: the tfjs backend in use is ${context.activeBackend}`
          : null
        : autoSkipsRuntime(r.runtime, runtimes, context);
    if (why === null) return true;
    const group = twinGroup(r.modelId, models);
    leftOut.set(group, [...(leftOut.get(group) ?? []), why]);
    return false;
  });
  return fastestPerModel(usable, models, runtimes).map((c) => {
    const notes = leftOut.get(c.modelId);
    return notes ? { ...c, reason: `${c.reason}; ${[...new Set(notes)].join('; ')}` } : c;
  });
}

/**
 * The selection with Auto applied to the twin groups in `groups` (all when absent): a group with exactly one
 * chosen entry gets its fastest one instead. Two or more chosen twins are a comparison the user asked for, and
 * stay.
 */
export function autoSelection(
  selected: readonly ModelId[],
  choices: readonly FastestChoice[],
  models: readonly ModelTwinInfo[],
  groups?: ReadonlySet<ModelId>,
): ModelId[] {
  const fastestOf = new Map(choices.map((c) => [c.modelId, c.fastest.modelId]));
  const chosenPerGroup = new Map<ModelId, number>();
  for (const id of selected) chosenPerGroup.set(twinGroup(id, models), (chosenPerGroup.get(twinGroup(id, models)) ?? 0) + 1);
  return selected.map((id) => {
    const group = twinGroup(id, models);
    if (groups && !groups.has(group)) return id;
    return chosenPerGroup.get(group) === 1 ? (fastestOf.get(group) ?? id) : id;
  });
}
