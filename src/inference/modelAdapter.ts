import type { GraphModel } from '@tensorflow/tfjs-converter';
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelInfo, Pose } from '../core/types';

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

/** One pretrained model behind one interface. Returns plain poses, never tensors. */
export interface ModelAdapter {
  readonly info: ModelInfo;
  /** `image` is an upright RGB image tensor [height, width, 3]; the caller keeps ownership. */
  estimate(image: tf.Tensor3D, options: EstimateOptions): Promise<Pose[]>;
  /** The network(s) inside, for benchmarks that time the model's own execution apart from the pipeline. */
  graphModels(): GraphModel[];
  dispose(): void;
}

export type AdapterFactory = (info: ModelInfo, context: ModelLoadContext) => Promise<ModelAdapter>;
