/**
 * Plain data shared by every layer. Coordinates are in pixels of the upright original image
 * (after EXIF orientation) unless a name says otherwise.
 */

export type KeypointLayoutId = 'coco17' | 'blazepose33';
export type ModelFamily = 'movenet' | 'blazepose' | 'posenet';
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
}

export interface Pose {
  /** In the order of the model's keypoint layout. */
  keypoints: Keypoint[];
  /** Whole-pose confidence in [0, 1]. */
  score: number;
  /** Under the person-crops protocol: which crop (ground-truth person) this pose came from. */
  cropIndex?: number;
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
}

/** One model entry of models/manifest.json. */
export interface ModelInfo {
  id: ModelId;
  displayName: string;
  family: ModelFamily;
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

export interface ModelManifest {
  packages: { name: string; version: string; integrity: string; licence: string }[];
  models: ModelInfo[];
}
