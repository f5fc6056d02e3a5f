/**
 * The benchmark's leak check, judged: what a worker held at the start and at the end of a run of extra estimates
 * after every measured one. Anything that grew with the number of images is a leak.
 */

/** What the inference worker held after one estimate (estimateDone's memory fields). */
export interface MemoryFacts {
  /** tfjs tensors alive, and their bytes on the active backend. */
  numTensors: number;
  tensorBytes: number;
  /** The worker's JS heap where the browser exposes it (Chromium does not in workers): not judged, it moves with GC. */
  workerHeapBytes: number | null;
  /** The WASM heaps of the models' own runtimes (LiteRT, MediaPipe solutions); null where none was loaded. */
  runtimeHeapBytes: number | null;
  /** GPU objects those runtimes keep alive (WebGL objects, open ImageBitmaps); null where none counts them. */
  runtimeGpuObjects: number | null;
}

export interface LeakGrowth {
  /** What grew, as the benchmark table names it. */
  what: 'tensors' | 'tensor bytes' | 'runtime heap' | 'GPU objects';
  from: number;
  to: number;
}

/**
 * Every count that grew from `start` to `end`. All are exact: tensors and GPU objects are counts, and a WASM heap only
 * grows (in whole pages, when an allocation did not fit), so any growth after the warm-up means something is kept.
 */
export function leakGrowth(start: MemoryFacts, end: MemoryFacts): LeakGrowth[] {
  const grown: LeakGrowth[] = [];
  const check = (what: LeakGrowth['what'], from: number | null, to: number | null) => {
    if (from !== null && to !== null && to > from) grown.push({ what, from, to });
  };
  check('tensors', start.numTensors, end.numTensors);
  check('tensor bytes', start.tensorBytes, end.tensorBytes);
  check('runtime heap', start.runtimeHeapBytes, end.runtimeHeapBytes);
  check('GPU objects', start.runtimeGpuObjects, end.runtimeGpuObjects);
  return grown;
}

/** One line for a leak check: "nothing grew over N estimates" or what grew, with its figures. */
export function leakCheckSentence(estimates: number, start: MemoryFacts, end: MemoryFacts): string {
  const grown = leakGrowth(start, end);
  if (grown.length === 0) return `nothing grew over ${estimates} estimates`;
  const figure = (g: LeakGrowth) => (g.what === 'tensor bytes' || g.what === 'runtime heap' ? `${(g.from / 1e6).toFixed(2)} → ${(g.to / 1e6).toFixed(2)} MB` : `${g.from} → ${g.to}`);
  return `grew over ${estimates} estimates: ${grown.map((g) => `${g.what} ${figure(g)}`).join(', ')}`;
}
