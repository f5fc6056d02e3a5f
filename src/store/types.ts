import type { BackendDecision } from '../core/backendDecision';
import type { BackendChoice, BackendName, ModelId, Pose, RuntimeName } from '../core/types';

export type ImageSource = 'user' | 'sample';

export interface ImageItem {
  id: string;
  name: string;
  file: Blob;
  source: ImageSource;
  status: 'decoding' | 'ready' | 'error';
  widthPx: number;
  heightPx: number;
  /**
   * A JPEG file, not decoded pixels: 1,000 decoded thumbnails would hold ~1 GB. The views decode the ones on
   * screen through the bounded thumbnail cache (media/thumbnailCache). Its size is thumbnailSizePx(image).
   */
  thumbnail: Blob | null;
  error: string | null;
}

export interface ModelStatus {
  state: 'idle' | 'loading' | 'ready' | 'error';
  backend: BackendName | null;
  loadedBytes: number;
  totalBytes: number;
  loadMs: number | null;
  warmupMs: number | null;
  /** Threads of a runtime with its own module (LiteRT) as the worker loaded it; absent for tfjs models. */
  runtimeThreads?: number;
  error: string | null;
}

export interface CellResult {
  /** 'skipped': nothing to run (person-crops protocol on an image without labelled people). */
  status: 'pending' | 'running' | 'done' | 'error' | 'skipped';
  poses: Pose[];
  /** Model time for the image, milliseconds: all its inferences (see `inferences`); null until done, and for imports. */
  imageLatencyMs: number | null;
  /** Inferences the image needed: 1 for the whole image, one per person crop; null when not run. */
  inferences: number | null;
  backend: BackendName | null;
  /** The runtime that ran it (model × runtime × backend); absent for imports and results saved before runtimes were reported. */
  runtime?: RuntimeName;
  /** The model's own timing of its networks within `imageLatencyMs`, where its runtime can tell. */
  networkMs?: number;
  requestId: number | null;
  error: string | null;
}

export interface BackendState {
  choice: BackendChoice;
  active: BackendName | null;
  status: 'initialising' | 'ready' | 'error';
  decision: BackendDecision | null;
  error: string | null;
}

export interface BatchState {
  total: number;
  done: number;
  startedAtMs: number | null;
  /** Time left, from each model's measured cost per inference on this backend (core/timeLeft.ts); null before a measurement. */
  estimatedMsLeft: number | null;
}

/** A problem shown where it happened (input, model, image); never an alert. */
export interface Notice {
  id: number;
  area: 'inputs' | 'models' | 'backend' | 'export' | 'webcam' | 'evaluation' | 'session';
  message: string;
}

/** Results are kept per protocol, so switching back and forth does not re-run anything. */
export const cellKey = (imageId: string, modelId: ModelId, protocol: 'whole' | 'crops' = 'whole') =>
  protocol === 'whole' ? `${imageId}|${modelId}` : `${imageId}|${modelId}|crops`;

/** Splits a cell key back into its parts. */
export function parseCellKey(key: string): { imageId: string; modelId: ModelId; protocol: 'whole' | 'crops' } {
  const [imageId = '', modelId = '', protocol] = key.split('|');
  return { imageId, modelId, protocol: protocol === 'crops' ? 'crops' : 'whole' };
}
