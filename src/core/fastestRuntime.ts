/**
 * Which runtime × backend ran each model fastest in a benchmark, and why: a model and its twins on other
 * runtimes (the manifest's `sameModelAs`) are one model here, and every configuration measured for any of them
 * competes on the median per-image latency of the app's whole pipeline. Pure: the benchmark rows in, the choice
 * and its reason (every figure it was chosen from) out.
 */
import type { ModelId, ModelInfo, RuntimeInfo, RuntimeName } from './types';

/** One measured configuration: what a benchmark row says (structurally, so core does not import the store). */
export interface MeasuredConfiguration {
  modelId: ModelId;
  runtime: RuntimeName;
  /** Where it ran, e.g. "wasm ×2" (the benchmark's own label). */
  configLabel: string;
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
