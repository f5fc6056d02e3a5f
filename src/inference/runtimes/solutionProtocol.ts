/** Messages between an adapter (mediapipeSolutions.ts) and the classic worker hosting its solution (solutionWorkerMain.ts). */

export type SolutionRequest =
  | {
      type: 'init';
      /** Every file of the manifest entry, by name (the names the solution asks for). */
      files: Record<string, ArrayBuffer>;
      /** The solution's own script (e.g. pose.js) and the class it defines (e.g. Pose). */
      solutionFile: string;
      className: string;
      /** The solution's `setOptions`, given once before `initialize`. */
      options: Record<string, unknown>;
    }
  | {
      type: 'estimate';
      id: number;
      /** widthPx × heightPx RGBA pixels (transferred). */
      rgba: ArrayBuffer;
      widthPx: number;
      heightPx: number;
      /** A still: nothing may carry over from the previous image (tracked regions, smoothing). */
      reset: boolean;
      /** Options this frame's mode needs besides the load's (e.g. no smoothing for stills); a change reloads the graph. */
      modeOptions: Record<string, unknown>;
      /** The frame's time (video); absent: the worker's own clock. */
      timestampMs?: number;
      /** The result fields to send back (e.g. poseLandmarks), as plain data. */
      resultFields: readonly string[];
    };

export type SolutionReply =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | {
      type: 'result';
      id: number;
      fields: Record<string, unknown>;
      /** The solution's `send`, start to results: its whole graph (pre/post-processing included), milliseconds. */
      ms: number;
      /** False when the solution called no results listener for this image. */
      gotResults: boolean;
      /** What the solution holds after this image (its WASM heap, its live GPU objects): the leak check's figures. */
      memory: SolutionMemory;
    }
  | { type: 'error'; id: number; message: string };

export interface SolutionMemory {
  /** Bytes of the solution's WASM memory; null when the worker saw no WebAssembly.Memory made. */
  heapBytes: number | null;
  /** WebGL objects created and not deleted (textures, buffers, framebuffers, programs, …) plus open ImageBitmaps. */
  gpuObjects: number;
}
