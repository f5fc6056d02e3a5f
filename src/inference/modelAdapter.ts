import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { ModelSettings } from '../core/modelSettings';
import type { ModelInfo, Pose, RuntimeName } from '../core/types';
import type { RgbImage } from './rgbImage';

export type { RgbImage } from './rgbImage';

/** How an adapter reads its weight files; the browser fetches from the app's origin, Node reads models/. */
export interface ModelFileReader {
  /** Reads one file named in the manifest; `onBytes` reports bytes received so far for that file. */
  readFile(name: string, onBytes: (loadedBytes: number) => void): Promise<ArrayBuffer>;
}

export interface LoadProgress {
  loadedBytes: number;
  totalBytes: number;
}

export interface ModelLoadContext {
  files: ModelFileReader;
  onProgress?: (progress: LoadProgress) => void;
  /** The user's settings for this model, already valid for its manifest spec; absent: the manifest's defaults. */
  settings?: ModelSettings;
}

/**
 * 'still': every call is an independent photo, so trackers and smoothing filters are reset.
 * 'video': consecutive frames of one stream; models may use the previous frame (as they were designed to).
 */
export type EstimateMode = 'still' | 'video';

export interface EstimateOptions {
  mode: EstimateMode;
  /** Frame time in milliseconds, for 'video' mode smoothing. */
  timestampMs?: number;
  /**
   * The person's box `[x, y, width, height]` in this image's pixels, when it is known (person crops). Only
   * models with `personInput: 'box'` use it: they run their landmark stage on the region derived from it
   * instead of running their own person detector.
   */
  personBoxPx?: readonly [number, number, number, number];
}

/** What one estimate gives: plain data, never a runtime's tensors. */
export interface EstimateResult {
  /**
   * In the given image's pixels. Keypoints may carry `z` (same pixel scale as x), poses `world` (metric 3D
   * keypoints) and `labels` (per-instance labels such as handedness), where the model gives them.
   */
  poses: Pose[];
  /**
   * The adapter's own timing of the network(s) it ran for this estimate, milliseconds (pre- and postprocessing
   * excluded); absent where its runtime cannot tell (tfjs on WebGL/WebGPU, where a call only queues GPU work).
   */
  networkMs?: number;
}

/**
 * One pretrained model behind one interface, whatever runtime executes it: it gets upright RGB pixels, makes
 * and frees its runtime's own tensors (tfjs: through runtimes/tfjs, which shares one tensor per image between
 * models), and returns plain data.
 */
export interface ModelAdapter {
  readonly info: ModelInfo;
  /** The runtime that executes its networks (e.g. 'tfjs'): reported beside the backend. */
  readonly runtime: RuntimeName;
  /** `image` may be a crop view (rgbImage.cropView); the caller keeps it and releases it (releaseImage). */
  estimate(image: RgbImage, options: EstimateOptions): Promise<EstimateResult>;
  /**
   * Makes the runtime's own copy of `image` ahead of `estimate` (tfjs: its tensor, or a crop's slice, shared by
   * every tfjs model and released with the image), so the pipeline can keep that shared cost out of each model's
   * latency. Optional: a runtime that copies nothing ahead has none.
   */
  prepare?(image: RgbImage): void;
  /**
   * tfjs runtime only: the GraphModels that one still estimate runs, for the benchmark's raw timing (rawTiming)
   * and the warm-up. Absent on other runtimes.
   */
  graphModels?(): GraphModel[];
  /**
   * What its runtime holds outside tfjs's tensors (a WASM module's heap, GPU objects), for the benchmark's memory
   * columns and leak check. Optional: the tfjs runtime's memory is its tensors, counted by tfjs.
   */
  runtimeMemory?(): RuntimeMemory;
  dispose(): void;
}

export interface RuntimeMemory {
  /** Whose memory: adapters that share one runtime module report the same owner, and it is counted once. */
  owner: string;
  /** The runtime's WASM heap, bytes (it only grows, when an allocation does not fit); null where it cannot be read. */
  heapBytes: number | null;
  /** GPU objects the runtime keeps alive (WebGL objects, open ImageBitmaps); null where it has none or they are not counted. */
  gpuObjects: number | null;
}

export type AdapterFactory = (info: ModelInfo, context: ModelLoadContext) => Promise<ModelAdapter>;

/** The code behind one family on one runtime (inference/modelRegistry): its loader and the check of its manifest `config`. */
export interface AdapterFamily {
  runtime: RuntimeName;
  load: AdapterFactory;
  /** Throws naming the model and the field when `info.config` is not what this family reads. */
  checkConfig(info: ModelInfo): void;
}
