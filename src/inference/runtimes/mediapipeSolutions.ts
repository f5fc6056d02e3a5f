/**
 * The legacy MediaPipe solutions runtime (@mediapipe/pose, hands, face_mesh as published): each solution is
 * MediaPipe's own graph compiled to WebAssembly, which runs its networks as WebGL2 shaders (its TFLite GPU delegate)
 * and does its own pre- and post-processing. Nothing of ours runs between its input picture and its landmarks.
 *
 * Each loaded model gets a classic worker of its own (solutionWorkerMain.ts, why there), started from inside the
 * inference worker; the adapter reads the entry's files through the usual reader (sha256-checked against the
 * manifest, with load progress) and hands the bytes over, so the solution loads nothing by itself.
 * `dispose` terminates the worker, which frees the solution's WASM heap and WebGL context.
 *
 * Browser only: Node has no WebGL (and no Worker/OffscreenCanvas), so loading fails there, saying so.
 */
import type { ModelInfo } from '../../core/types';
import type { EstimateOptions, ModelLoadContext, RuntimeMemory } from '../modelAdapter';
import type { RgbImage } from '../rgbImage';
import { readerWithProgress } from './litert';
import type { SolutionMemory, SolutionReply, SolutionRequest } from './solutionProtocol';
import { solutionWorkerMain } from './solutionWorkerMain';

export const MEDIAPIPE_SOLUTIONS_RUNTIME = 'mediapipe-solutions';

/** Why this runtime cannot run here, or null where it can (a browser with workers and OffscreenCanvas). */
export function solutionsUnavailableReason(): string | null {
  if (typeof Worker === 'function' && typeof OffscreenCanvas === 'function') return null;
  const where = typeof process === 'object' && typeof process.versions?.node === 'string' ? 'Node' : 'this environment';
  return `the legacy MediaPipe solutions run their networks as WebGL2 shaders on an OffscreenCanvas in a browser worker; ${where} has no ${typeof Worker === 'function' ? 'OffscreenCanvas' : 'Worker'} and no WebGL, so this runtime runs in the browser only`;
}

export interface SolutionSpec {
  /** The solution's script among the entry's files (e.g. pose.js) and the class it defines (e.g. Pose). */
  solutionFile: string;
  className: string;
  /** Its `setOptions`, for the model's life (a change of options reloads the graph). */
  options: Record<string, unknown>;
  /** Options that stills use instead (e.g. Pose without smoothing: filters would carry state to the next still). */
  stillOptions?: Record<string, unknown>;
  /** The result fields the adapter reads (e.g. poseLandmarks, poseWorldLandmarks). */
  resultFields: readonly string[];
}

export interface SolutionRun {
  /** The requested result fields as plain data (undefined where the solution found nothing). */
  fields: Record<string, unknown>;
  /** Wall time of the solution's `send` (its whole graph, on the GPU and in WASM), milliseconds. */
  ms: number;
}

export interface Solution {
  /** One estimate at a time (queued): the solution's graph is a single stream. */
  estimate(image: RgbImage, options: EstimateOptions): Promise<SolutionRun>;
  /** Its worker's WASM heap and live GPU objects as of its last estimate (the worker counts them; null before one). */
  memory(): RuntimeMemory;
  dispose(): void;
}

/** `image` (RGB or RGBX, possibly a crop view) as RGBA with opaque alpha, the ImageData the solution takes. */
export function rgbaPixels(image: RgbImage): Uint8ClampedArray {
  const { data, widthPx, heightPx, bytesPerPixel } = image;
  const pixels = widthPx * heightPx;
  const out = new Uint8ClampedArray(pixels * 4);
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += bytesPerPixel, o += 4) {
    out[o] = data[i]!;
    out[o + 1] = data[i + 1]!;
    out[o + 2] = data[i + 2]!;
    out[o + 3] = 255;
  }
  return out;
}

function workerSource(): string {
  return `"use strict";\n(${solutionWorkerMain.toString()})();\n`;
}

/** Starts `info`'s solution in its own classic worker with every file of the entry; resolves once it has initialised. */
export async function loadSolution(info: ModelInfo, context: ModelLoadContext, spec: SolutionSpec): Promise<Solution> {
  const unavailable = solutionsUnavailableReason();
  if (unavailable) throw new Error(`${info.id}: ${unavailable}`);
  const read = readerWithProgress(info, context);
  const names = [...new Set(info.files.map((file) => file.name))];
  const contents = await Promise.all(names.map((name) => read(name)));
  const files = Object.fromEntries(names.map((name, i) => [name, contents[i]!]));

  const scriptUrl = URL.createObjectURL(new Blob([workerSource()], { type: 'text/javascript' }));
  const worker = new Worker(scriptUrl, { name: `${info.id} (MediaPipe solution)` });
  const pending = new Map<number, { resolve: (run: SolutionRun) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let dead: Error | null = null;
  let settleInit: { resolve: () => void; reject: (error: Error) => void } | null = null;
  let lastMemory: SolutionMemory | null = null;

  const fail = (error: Error) => {
    dead ??= error;
    settleInit?.reject(error);
    settleInit = null;
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
  };
  worker.onmessage = (event: MessageEvent<SolutionReply>) => {
    const reply = event.data;
    if (reply.type === 'ready') {
      settleInit?.resolve();
      settleInit = null;
    } else if (reply.type === 'failed') {
      fail(new Error(`${info.id}: the MediaPipe solution did not start: ${reply.message}`));
    } else {
      const entry = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.type === 'result') {
        lastMemory = reply.memory;
        entry?.resolve({ fields: reply.fields, ms: reply.ms });
      }
      else entry?.reject(new Error(`${info.id}: ${reply.message}`));
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    fail(new Error(`${info.id}: the MediaPipe solution's worker failed: ${event.message || 'uncaught error'}`));
  };

  const dispose = () => {
    worker.terminate();
    URL.revokeObjectURL(scriptUrl);
    fail(new Error(`${info.id}: used after dispose`));
  };

  try {
    await new Promise<void>((resolve, reject) => {
      settleInit = { resolve, reject };
      const init: SolutionRequest = { type: 'init', files, solutionFile: spec.solutionFile, className: spec.className, options: spec.options };
      worker.postMessage(init, Object.values(files));
    });
  } catch (error) {
    dispose();
    throw error;
  }

  let queue: Promise<unknown> = Promise.resolve();
  return {
    estimate(image, options) {
      const run = queue.then(
        () =>
          new Promise<SolutionRun>((resolve, reject) => {
            if (dead) return reject(dead);
            const id = nextId++;
            pending.set(id, { resolve, reject });
            const rgba = rgbaPixels(image).buffer as ArrayBuffer;
            const request: SolutionRequest = {
              type: 'estimate',
              id,
              rgba,
              widthPx: image.widthPx,
              heightPx: image.heightPx,
              reset: options.mode === 'still',
              modeOptions: options.mode === 'still' ? (spec.stillOptions ?? {}) : {},
              ...(options.mode === 'video' && options.timestampMs !== undefined ? { timestampMs: options.timestampMs } : {}),
              resultFields: spec.resultFields,
            };
            worker.postMessage(request, [rgba]);
          }),
      );
      queue = run.catch(() => undefined);
      return run;
    },
    memory: () => ({ owner: info.id, heapBytes: lastMemory?.heapBytes ?? null, gpuObjects: lastMemory?.gpuObjects ?? null }),
    dispose,
  };
}

/** A normalised landmark as the solutions give it (x, y in [0, 1] of the input's width/height, z in units of its width). */
export interface SolutionLandmark {
  x: number;
  y: number;
  z: number;
  visibility?: number;
}

/** Checks that a result field is a list of landmark lists (one per instance) or absent; names the model and field otherwise. */
export function landmarkLists(info: ModelInfo, fields: Record<string, unknown>, field: string, points: number): SolutionLandmark[][] {
  const value = fields[field];
  if (value === undefined || value === null) return [];
  const lists = value as unknown[];
  if (!Array.isArray(lists) || !lists.every((list) => Array.isArray(list) && list.length === points && list.every((p) => typeof (p as SolutionLandmark).x === 'number'))) {
    throw new Error(`${info.id}: the MediaPipe solution's ${field} is not a list of ${points}-point landmark lists`);
  }
  return lists as SolutionLandmark[][];
}
