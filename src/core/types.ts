import type { ModelSettingsSpec } from './modelSettings';

/**
 * Plain data shared by every layer. Coordinates are in pixels of the upright original image
 * (after EXIF orientation) unless a name says otherwise.
 */

/** A layout id of core/layouts (a built-in, or one a ground-truth category brings); only that module knows them. */
export type KeypointLayoutId = string;
/** A family names the adapter file that runs it (inference/modelRegistry); adding a family must not need a type change. */
export type ModelFamily = string;
/** The runtime that executes a model's networks, a dimension beside the backend (model × runtime × backend). */
export type RuntimeName = string;
/** Ids come from models/manifest.json; adding a model must not need a type change. */
export type ModelId = string;

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

/** One keypoint in upright original-image pixels. `score` is the model's confidence in [0, 1]. */
export interface Keypoint {
  name: string;
  x: number;
  y: number;
  score: number;
  /**
   * Depth where the model gives one, in the same pixel scale as x (MediaPipe's convention: relative to a
   * reference point of the instance, smaller is nearer the camera). Absent for 2D models.
   */
  z?: number;
}

/** A keypoint in metric 3D space (a model's "world" landmarks), origin and axes as the model defines them. */
export interface WorldKeypoint {
  name: string;
  x: number;
  y: number;
  z: number;
  score: number;
}

/** 3D keypoints in real units, e.g. BlazePose's world landmarks (metres, origin between the hips). */
export interface WorldKeypoints {
  unit: 'm';
  keypoints: WorldKeypoint[];
}

export interface Pose {
  /** In the order of the model's keypoint layout. */
  keypoints: Keypoint[];
  /** Whole-pose confidence in [0, 1]. */
  score: number;
  /** Under the person-crops protocol: which crop (ground-truth person) this pose came from. */
  cropIndex?: number;
  /** The model's metric 3D keypoints for this instance, where it gives them. */
  world?: WorldKeypoints;
  /** Per-instance labels a model gives, e.g. `{ handedness: 'left' }`, with their scores in [0, 1]. */
  labels?: Record<string, { value: string; score: number }>;
}

export interface ImageSizePx {
  width: number;
  height: number;
}

/** One file entry of models/manifest.json. */
export interface ModelFileEntry {
  name: string;
  tarballPath: string;
  bytes: number;
  sha256: string;
  /** The package this file comes from, where it is not the model's `source` (e.g. a detector from @mediapipe/hands). */
  source?: { package: string; version: string };
}

/** One model entry of models/manifest.json. */
export interface ModelInfo {
  id: ModelId;
  displayName: string;
  family: ModelFamily;
  /** What executes its networks; the manifest may leave it out for tfjs, the default. */
  runtime: RuntimeName;
  /**
   * The id of the entry this one is the same pretrained model as, on another runtime (LiteRT's BlazePose lite is
   * tfjs BlazePose lite's twin): the benchmark compares them, and "fastest runtime per model" picks between them.
   */
  sameModelAs?: ModelId;
  keypointLayout: KeypointLayoutId;
  /** Network input [width, height] in pixels. */
  inputSizePx: [number, number];
  multiPerson: boolean;
  /**
   * 'box': a variant that is given the person's ground-truth box (person-crops protocol only; elsewhere it is
   * skipped) and runs only its landmark stage on the region derived from it, skipping its own person detector.
   * Absent: the model's full pipeline finds the person itself.
   */
  personInput?: 'box';
  source: { package: string; version: string };
  files: ModelFileEntry[];
  upstream: { model: string; url: string; licence: string };
  /** The accuracy its authors published, shown beside the measured AP; absent where none was found. */
  published?: PublishedFigure;
  /** Settings the user can change (core/modelSettings.ts), with their ranges and defaults; absent: none. */
  settings?: ModelSettingsSpec;
  /**
   * What its family's adapter needs to build this model (model type, thresholds, which file is which): a plain
   * object whose fields each adapter checks (inference/modelRegistry checkModelAdapter), so a new model of a
   * known family is a manifest entry only.
   */
  config?: Readonly<Record<string, unknown>>;
  /** Checked on a new session and run by the CLI without --models. */
  defaultSelected?: boolean;
}

/** Metrics a published figure can be given in; 'mAP' is COCO keypoint AP (OKS 0.50:0.95), comparable to the measured AP. */
export type PublishedMetric = 'mAP';

/**
 * An accuracy figure from a model card or paper, with what it was measured on. Never measured here: the
 * dataset, crops and model build differ from a run of this app, so it is shown beside the measured AP, not as it.
 */
export interface PublishedFigure {
  metric: PublishedMetric;
  /** A fraction in [0, 1], like the measured stats (a card's "72.0" is 0.72). */
  value: number;
  /** A few words on where it was measured, printed beside the figure, e.g. "COCO single-person crops, TFLite FP16". */
  conditionsShort: string;
  /** Dataset and how it was filtered or cropped. */
  dataset: string;
  /** What else differs from a run here (runtime, input, pipeline). */
  conditions: string;
  /** The build the figure was measured on, and how it relates to the weights this app runs. */
  modelVersion: string;
  source: { title: string; url: string };
}

/**
 * Where a runtime's networks run: 'backend' for tfjs (the active tfjs backend), or the runtime's own place
 * (LiteRT.js: its own WebAssembly module, whatever tfjs backend is active).
 */
export type RuntimeExecution = 'backend' | { backend: BackendName; threads: number | null; detail: string };

export interface RuntimeInfo {
  displayName: string;
  executesOn: RuntimeExecution;
}

export interface ModelManifest {
  /** Every runtime a model may name, keyed by its name. */
  runtimes: Record<RuntimeName, RuntimeInfo>;
  packages: { name: string; version: string; integrity: string; licence: string }[];
  models: ModelInfo[];
}
