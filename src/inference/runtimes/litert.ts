/**
 * The LiteRT.js runtime (@litertjs/core: TFLite models on its own WebAssembly build, XNNPACK on the CPU): one
 * module per thread, loaded on first use from where the host says its files are (the browser worker: the app's
 * own /litert-wasm/; Node: the package's wasm/ folder, through src/node/nodeLiteRt.ts). Adapters hand it .tflite
 * bytes and get back a model that runs Float32Array inputs and returns plain Float32Arrays: every LiteRT tensor
 * made here is deleted here, before `run` returns, so adapters hold no runtime memory but the compiled models.
 */
import { getGlobalLiteRt, loadAndCompile, loadLiteRt, Tensor, type CompiledModel } from '@litertjs/core';
import type { ModelInfo } from '../../core/types';
import type { ModelLoadContext, RuntimeMemory } from '../modelAdapter';

export const LITERT_RUNTIME = 'litert';

/**
 * The backend name LiteRT cells report: LiteRT runs on its own WASM (XNNPACK, SIMD) module whatever tfjs
 * backend is active, so 'wasm' is the honest name for where its networks run.
 */
export const LITERT_BACKEND = 'wasm';

/**
 * LiteRT's WASM module writes its log (INFO and WARNING lines: environment set-up, "Sparsity tensors may not yet be
 * fully supported" per model) to stderr, i.e. console.error in a browser. Hosts pass this as the module's `printErr`:
 * those lines go to console.debug, anything else (errors) stays an error.
 */
export function liteRtPrintErr(line: string): void {
  if (/^(INFO|WARNING|VERBOSE): /.test(line)) console.debug(`LiteRT ${line}`);
  else console.error(`LiteRT ${line}`);
}

export interface LiteRtHost {
  /** Folder (URL or path, ending in '/') holding LiteRT's litert_wasm_*.js/.wasm files. */
  wasmBase: string;
  /**
   * Called once before loading: lets the host pick LiteRT's build and make its classic-script loader work where it
   * cannot by itself. Returns the loader script's own URL or path, loaded instead of `wasmBase`'s choice, and the
   * threads XNNPACK is to use (more than 1 only with the threaded build); nothing: `wasmBase`'s single-threaded build.
   */
  prepare?: () => Promise<{ path: string; threads: number } | undefined>;
  /** Called once after loading (succeeded or not): undoes what `prepare` set up. */
  finish?: () => void;
}

let host: LiteRtHost | null = null;
let loading: Promise<void> | null = null;
/** Threads of the loaded module's CPU (XNNPACK) accelerator; null before it loaded. */
let loadedThreads: number | null = null;

/** The threads LiteRT runs its models on in this thread's module (1: the single-threaded build); null before it loaded. */
export function liteRtThreads(): number | null {
  return loadedThreads;
}

/** Where LiteRT's WASM files are; must be called before the first LiteRT model loads (the worker and Node glue do). */
export function configureLiteRt(config: LiteRtHost): void {
  if (loading) throw new Error('LiteRT is already loaded; configureLiteRt must come first');
  host = config;
}

async function ensureLiteRt(): Promise<void> {
  if (!host) throw new Error('LiteRT runtime not configured (configureLiteRt was not called on this thread)');
  const config = host;
  loading ??= (async () => {
    try {
      const chosen = (await config.prepare?.()) ?? { path: config.wasmBase, threads: 1 };
      await loadLiteRt(chosen.path, chosen.threads > 1 ? { threads: true } : {});
      loadedThreads = chosen.threads;
    } finally {
      config.finish?.();
    }
  })().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  await loading;
}

/** One compiled .tflite model with a single float32 input. */
export interface LiteRtModel {
  readonly inputShape: readonly number[];
  /** The output shapes, in the model's output order. */
  readonly outputShapes: readonly (readonly number[])[];
  /** The output tensors' names in the .tflite file (e.g. 'conv2d_21', 'regressors'), in the model's output order. */
  readonly outputNames: readonly string[];
  /** Runs the model on `input` (float32, `inputShape`); returns a copy of every output, in order. */
  run(input: Float32Array): Promise<Float32Array[]>;
  dispose(): void;
}

function shapeOf(dims: unknown): number[] {
  if (Array.isArray(dims)) return dims.map(Number);
  const record = dims as Record<string, number>;
  return Object.keys(record)
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => Number(record[key]));
}

/**
 * A reader of a manifest entry's files (.tflite bytes, read whole) whose byte progress is summed over all of them,
 * as the model's one load progress.
 */
export function readerWithProgress(info: ModelInfo, context: ModelLoadContext): (name: string) => Promise<ArrayBuffer> {
  const totalBytes = info.files.reduce((sum, file) => sum + file.bytes, 0);
  const loaded = new Map<string, number>();
  return (name) =>
    context.files.readFile(name, (bytes) => {
      loaded.set(name, bytes);
      context.onProgress?.({ loadedBytes: [...loaded.values()].reduce((a, b) => a + b, 0), totalBytes });
    });
}

/** Compiles `bytes` (a .tflite file) for LiteRT's CPU (WASM, XNNPACK) accelerator. */
export async function loadLiteRtModel(bytes: ArrayBuffer, name: string): Promise<LiteRtModel> {
  await ensureLiteRt();
  let model: CompiledModel | null = await loadAndCompile(new Uint8Array(bytes), { accelerator: 'wasm', ...(loadedThreads !== null && loadedThreads > 1 ? { cpuOptions: { numThreads: loadedThreads } } : {}) });
  const inputs = model.getInputDetails();
  if (inputs.length !== 1 || inputs[0]?.dtype !== 'float32') throw new Error(`${name}: LiteRT model must take one float32 input`);
  const inputShape = shapeOf(inputs[0].shape);
  const outputShapes = model.getOutputDetails().map((detail) => shapeOf(detail.shape));
  const outputNames = model.getOutputDetails().map((detail) => detail.name);
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  return {
    inputShape,
    outputShapes,
    outputNames,
    async run(input) {
      if (!model) throw new Error(`${name}: LiteRT model used after dispose`);
      if (input.length !== inputSize) throw new Error(`${name}: input has ${input.length} values, the model takes ${inputSize}`);
      const tensor = new Tensor(input, inputShape);
      let outputs: Tensor[] = [];
      try {
        outputs = await model.run([tensor]);
        return outputs.map((output) => (output.toTypedArray() as Float32Array).slice());
      } finally {
        tensor.delete();
        for (const output of outputs) output.delete();
      }
    },
    dispose() {
      model?.delete();
      model = null;
    },
  };
}

/**
 * Bytes of LiteRT's WASM heap on this thread (null before LiteRT has loaded): it only grows, when an allocation
 * does not fit, so a steady size over repeated estimates shows that nothing is left behind per run (each run
 * allocates ~2 MB: its input and every output tensor, the 256² segmentation and 64² × 39 heatmap included).
 */
export function liteRtHeapBytes(): number | null {
  if (!loading) return null;
  try {
    const heap = (getGlobalLiteRt().liteRtWasm as unknown as { HEAPU8?: Uint8Array }).HEAPU8;
    return heap ? heap.length : null;
  } catch {
    return null;
  }
}

/** The LiteRT module's memory, one for every LiteRT model of this thread (hence one owner); it holds no GPU objects here (XNNPACK). */
export function liteRtMemory(): RuntimeMemory {
  return { owner: 'litert', heapBytes: liteRtHeapBytes(), gpuObjects: null };
}
