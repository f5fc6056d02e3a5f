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
  source: { package: string; version: string };
  files: ModelFileEntry[];
  upstream: { model: string; url: string; licence: string };
}

export interface ModelManifest {
  packages: { name: string; version: string; integrity: string; licence: string }[];
  models: ModelInfo[];
}
