import type { ModelSettings } from '../../core/modelSettings';
import type { BackendDecision } from '../../core/backendDecision';
import type { PersonRegion } from '../../core/crops';
import type { BackendChoice, BackendName, ModelId, Pose, RuntimeName } from '../../core/types';
import type { EstimateMode } from '../modelAdapter';

/**
 * Messages between the UI thread and the inference worker. Every reply carries the request id
 * and the backend it ran on, so the UI can drop results that no longer match what is selected.
 */
/** What a request runs the models on. */
export type InferenceInput =
  /**
   * An image file, decoded in the worker (the UI thread does no per-request decoding, and a queued
   * request's decode overlaps the running one). `widthPx`/`heightPx`: its upright size, found when added.
   */
  | { kind: 'file'; file: Blob; name: string; widthPx: number; heightPx: number }
  /** A ready bitmap (webcam frames), transferred; `scaleToImagePx`: original pixels per bitmap pixel. */
  | { kind: 'bitmap'; bitmap: ImageBitmap; scaleToImagePx: number };

export type ToWorker =
  /** Sent first by the client: hold this Web Lock while alive (the client learns of the worker's death when it is released). */
  | { type: 'holdLifeLock'; lockName: string }
  /** `wasmThreads` only takes effect before WASM first initialises in this worker (a tfjs limit). */
  | { type: 'setBackend'; requestId: number; choice: BackendChoice; wasmThreads?: number }
  /** Makes exactly these models resident: loads the missing ones, disposes the rest. */
  | {
      type: 'useModels';
      requestId: number;
      modelIds: ModelId[];
      /** Per model, the user's settings (core/modelSettings.ts); a loaded model whose settings changed is loaded again. */
      settings?: Partial<Record<ModelId, ModelSettings>>;
    }
  | {
      type: 'estimate';
      requestId: number;
      imageKey: string;
      input: InferenceInput;
      modelIds: ModelId[];
      mode: EstimateMode;
      timestampMs?: number;
      /**
       * Person-crops protocol: run each model once per person (original-image pixels) instead of on the
       * whole image (see pipeline.estimatePerson); each contributes its best pose, tagged with `cropIndex`.
       */
      crops?: PersonRegion[];
      /** Benchmark: also re-run the model's own graph calls alone on the same inputs and report `rawMs`. */
      measureRaw?: boolean;
    };

export type FromWorker =
  | { type: 'backendReady'; requestId: number; backend: BackendName; decision: BackendDecision }
  | { type: 'backendError'; requestId: number; choice: BackendChoice; message: string }
  /** The worker holds its life lock (see `holdLifeLock`). */
  | { type: 'lifeLockHeld'; lockName: string }
  /** The GPU behind the active backend went away (WebGL context lost, WebGPU device lost): tfjs cannot go on in this worker. */
  | { type: 'backendLost'; backend: BackendName; message: string }
  /**
   * Made by InferenceClient, never sent by the worker: the worker stopped (crashed, ran out of memory,
   * threw, lost its GPU) and a fresh one replaced it. Nothing is loaded there and requests in flight
   * will never be answered; the caller sets the backend again and re-sends its work.
   */
  | { type: 'workerRestarted'; reason: string }
  /** Made by InferenceClient: the worker kept stopping, so it was not restarted again. */
  | { type: 'workerFailed'; message: string }
  | { type: 'modelProgress'; modelId: ModelId; backend: BackendName; loadedBytes: number; totalBytes: number }
  /** `runtime`: what executes the model's networks (e.g. 'tfjs'), a dimension beside the backend. */
  | {
      type: 'modelReady';
      requestId: number;
      modelId: ModelId;
      backend: BackendName;
      runtime: RuntimeName;
      /** Threads of a runtime with its own module (LiteRT), as it loaded; absent for tfjs (see the backend's decision). */
      runtimeThreads?: number;
      loadMs: number;
      warmupMs: number;
    }
  | { type: 'modelError'; requestId: number; modelId: ModelId; backend: BackendName; message: string }
  | { type: 'modelDisposed'; modelId: ModelId; backend: BackendName }
  | {
      type: 'poses';
      requestId: number;
      imageKey: string;
      modelId: ModelId;
      backend: BackendName;
      /** The runtime that ran the model (model × runtime × backend). */
      runtime: RuntimeName;
      /** Original-image pixels; keypoints may carry `z`, poses `world` (metric 3D keypoints) and `labels`. */
      poses: Pose[];
      /**
       * Model time for this image, milliseconds: preprocessing, networks and postprocessing of every
       * inference it needed (one for the whole image, one per person under person crops).
       */
      imageLatencyMs: number;
      /** Inferences in `imageLatencyMs`: 1 for a whole image, the number of crops under person crops. */
      inferences: number;
      /**
       * The adapter's own timing of its networks within `imageLatencyMs` (all inferences), milliseconds; absent
       * where the runtime cannot tell (tfjs on WebGL/WebGPU, where a network call only queues GPU work).
       */
      networkMs?: number;
    }
  /** With `measureRaw`, after `poses` (so the re-run never delays the result): the network(s) alone on the same inputs, for the whole image. */
  | { type: 'rawTiming'; requestId: number; imageKey: string; modelId: ModelId; backend: BackendName; rawMs: number }
  | { type: 'estimateError'; requestId: number; imageKey: string; modelId: ModelId | null; backend: BackendName | null; message: string }
  | {
      type: 'estimateDone';
      requestId: number;
      imageKey: string;
      /**
       * Input preparation in the worker, shared by every model of the request: file → pixels
       * (only the part not already overlapped with earlier work) → each runtime's copy (the tfjs tensor and crops).
       */
      decodeMs: number;
      /** Which decoder produced the pixels ('bitmap' for webcam frames). */
      decoder: 'ImageDecoder' | 'createImageBitmap' | 'bitmap' | null;
      numTensors: number;
      /** Bytes held by tensors on the active backend after the request. */
      tensorBytes: number;
      /** The worker's JS heap, when the browser exposes it (Chrome's performance.memory). */
      workerHeapBytes: number | null;
      /** The WASM heaps of the loaded models' own runtimes (LiteRT, MediaPipe solutions), each counted once; null: none. */
      runtimeHeapBytes: number | null;
      /** GPU objects those runtimes keep alive (WebGL objects, open ImageBitmaps); null: none counts them. */
      runtimeGpuObjects: number | null;
    };

export type ToWorkerType = ToWorker['type'];
export type FromWorkerType = FromWorker['type'];
