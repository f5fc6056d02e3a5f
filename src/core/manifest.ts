import { BUILTIN_LAYOUT_IDS, isBuiltinLayoutId } from './layouts';
import { settingsSpecProblem } from './modelSettings';
import type { BackendName, ModelInfo, ModelManifest, PublishedMetric, RuntimeInfo, RuntimeName } from './types';

/** The runtime a manifest entry without `runtime` runs on. */
export const DEFAULT_RUNTIME = 'tfjs';
const SLUG = /^[a-z0-9-]+$/;
const PUBLISHED_METRICS: readonly PublishedMetric[] = ['mAP'];

/** Checks models/manifest.json's shape; throws naming the first bad entry. */
export function parseModelManifest(json: unknown): ModelManifest {
  const root = json as Partial<ModelManifest> | null;
  if (!root || !Array.isArray(root.models) || !Array.isArray(root.packages)) {
    throw new Error('model manifest: expected {packages: [...], models: [...]}');
  }
  checkRuntimes(root.runtimes);
  const runtimes = root.runtimes as Record<string, RuntimeInfo>;
  const seen = new Set<string>();
  for (const [index, model] of root.models.entries()) {
    const where = `model manifest: models[${index}]${model && typeof model.id === 'string' ? ` (${model.id})` : ''}`;
    checkModel(model, where);
    model.runtime ??= DEFAULT_RUNTIME;
    if (!Object.hasOwn(runtimes, model.runtime)) throw new Error(`${where}: runtime '${model.runtime}' is not in "runtimes" (there are: ${Object.keys(runtimes).join(', ')})`);
    if (seen.has(model.id)) throw new Error(`${where}: duplicate id`);
    seen.add(model.id);
    for (const source of [model.source, ...model.files.map((f) => f.source).filter((s) => s !== undefined)]) {
      const pkg = root.packages.find((p) => p.name === source.package && p.version === source.version);
      if (!pkg) throw new Error(`${where}: source package ${source.package}@${source.version} is not in "packages"`);
    }
  }
  for (const [index, model] of root.models.entries()) {
    if (model.sameModelAs === undefined) continue;
    const where = `model manifest: models[${index}] (${model.id})`;
    const twin = root.models.find((m) => m.id === model.sameModelAs);
    if (!twin) throw new Error(`${where}: sameModelAs '${String(model.sameModelAs)}' is not a model of this manifest`);
    if (twin.sameModelAs !== undefined) throw new Error(`${where}: sameModelAs must name the model itself, not another twin ('${twin.id}' is one)`);
    if (twin.runtime === model.runtime) throw new Error(`${where}: sameModelAs '${twin.id}' runs on the same runtime (${model.runtime})`);
    if (twin.keypointLayout !== model.keypointLayout || (twin.personInput ?? null) !== (model.personInput ?? null)) {
      throw new Error(`${where}: sameModelAs '${twin.id}' gives another layout or takes another input`);
    }
  }
  return root as ModelManifest;
}

const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

function checkRuntimes(runtimes: unknown): void {
  const fail = (what: string): never => {
    throw new Error(`model manifest: runtimes: ${what}`);
  };
  if (typeof runtimes !== 'object' || runtimes === null || Array.isArray(runtimes)) fail('expected an object keyed by runtime name');
  for (const [name, info] of Object.entries(runtimes as Record<string, Partial<RuntimeInfo> | null>)) {
    if (!SLUG.test(name)) fail(`'${name}' must be a lower-case name`);
    if (!info || typeof info.displayName !== 'string' || info.displayName === '') fail(`${name}: missing displayName`);
    const on = info!.executesOn;
    if (on === 'backend') continue;
    if (typeof on !== 'object' || on === null || !BACKENDS.includes(on.backend)) fail(`${name}: executesOn must be "backend" or {backend: ${BACKENDS.join('|')}, threads, detail}`);
    if (on!.threads !== null && !(Number.isInteger(on!.threads) && on!.threads > 0)) fail(`${name}: executesOn.threads must be a whole number or null`);
    if (typeof on!.detail !== 'string' || on!.detail === '') fail(`${name}: executesOn.detail must say where it runs`);
  }
}

/** Where a model's networks ran: the active tfjs backend (with its WASM threads), or its runtime's own place. */
export interface Execution {
  backend: BackendName | null;
  threads: number | null;
  /** e.g. "wasm ×2", "webgl", "wasm ×1 (LiteRT.js)". */
  label: string;
}

export function executionOf(
  runtimes: Readonly<Record<RuntimeName, RuntimeInfo>>,
  runtime: RuntimeName,
  active: { backend: BackendName | null; wasmThreads: number | null },
): Execution {
  const info = Object.hasOwn(runtimes, runtime) ? runtimes[runtime] : undefined;
  const on = info?.executesOn ?? 'backend';
  if (on === 'backend') {
    const threads = active.backend === 'wasm' ? active.wasmThreads : null;
    return { backend: active.backend, threads, label: `${active.backend ?? '—'}${threads !== null ? ` ×${threads}` : ''}` };
  }
  return { backend: on.backend, threads: on.threads, label: `${on.backend}${on.threads !== null ? ` ×${on.threads}` : ''} (${info!.displayName})` };
}

function checkModel(model: ModelInfo, where: string): void {
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  if (typeof model !== 'object' || model === null) fail('not an object');
  if (!/^[a-z0-9-]+$/.test(model.id)) fail('id must be lower-case letters, digits and dashes');
  if (!model.displayName) fail('missing displayName');
  // Which families and runtimes have code is the registry's to say (inference/modelRegistry); here, only the shape.
  if (typeof model.family !== 'string' || !SLUG.test(model.family)) fail(`family must be a lower-case name, got '${String(model.family)}'`);
  if (model.runtime !== undefined && (typeof model.runtime !== 'string' || !SLUG.test(model.runtime))) fail(`runtime must be a lower-case name, got '${String(model.runtime)}'`);
  if (typeof model.keypointLayout !== 'string' || !isBuiltinLayoutId(model.keypointLayout)) {
    fail(`unknown keypointLayout '${String(model.keypointLayout)}' (known: ${BUILTIN_LAYOUT_IDS.join(', ')})`);
  }
  const size = model.inputSizePx as unknown;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isInteger(n) && n > 0)) fail('inputSizePx must be [width, height]');
  if (!model.source?.package || !/^\d+\.\d+\.\d+$/.test(model.source.version ?? '')) fail('source must name a package and an exact version');
  if (!Array.isArray(model.files) || model.files.length === 0) fail('no files');
  for (const file of model.files) {
    if (!/^[\w.-]+$/.test(file.name)) fail(`bad file name '${file.name}'`);
    if (!Number.isInteger(file.bytes) || file.bytes <= 0) fail(`${file.name}: bad byte size`);
    if (!/^[0-9a-f]{64}$/.test(file.sha256)) fail(`${file.name}: sha256 must be 64 hex digits`);
  }
  if (!model.upstream?.model || !model.upstream.licence || !model.upstream.url) fail('upstream needs model, url and licence');
  if (model.published !== undefined) checkPublished(model.published, fail);
  const settingsProblem = settingsSpecProblem(model.settings);
  if (settingsProblem) fail(settingsProblem);
  if (model.config !== undefined && (typeof model.config !== 'object' || model.config === null || Array.isArray(model.config))) fail('config must be an object');
  if (model.defaultSelected !== undefined && typeof model.defaultSelected !== 'boolean') fail('defaultSelected must be true or false');
  if (model.personInput !== undefined && model.personInput !== 'box') fail(`unknown personInput '${String(model.personInput)}'`);
  if (model.personInput === 'box' && model.multiPerson) fail("personInput 'box' is for single-person models");
}

/** A published figure must say what it measures, on what, and where it was published, or it cannot be read beside ours. */
function checkPublished(figure: NonNullable<ModelInfo['published']>, fail: (what: string) => never): void {
  if (typeof figure !== 'object' || figure === null) fail('published must be an object');
  if (!PUBLISHED_METRICS.includes(figure.metric)) fail(`published: unknown metric '${String(figure.metric)}'`);
  // Cards print percentages; the manifest keeps fractions like the measured stats, so 72.0 here is a mistake.
  if (typeof figure.value !== 'number' || !(figure.value >= 0 && figure.value <= 1)) fail('published: value must be a fraction in [0, 1]');
  for (const field of ['conditionsShort', 'dataset', 'conditions', 'modelVersion'] as const) {
    if (typeof figure[field] !== 'string' || figure[field].trim() === '') fail(`published: missing ${field}`);
  }
  if (!figure.source?.title || !/^https:\/\/\S+$/.test(figure.source.url ?? '')) fail('published: source needs a title and an https url');
}

/** Every package a model's weight files come from, "name@version", the model's own source first. */
export function weightPackages(model: Pick<ModelInfo, 'source' | 'files'>): string[] {
  const names = [model.source, ...model.files.map((f) => f.source ?? model.source)].map((s) => `${s.package}@${s.version}`);
  return [...new Set(names)];
}
