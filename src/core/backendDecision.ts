import type { BackendName } from './types';

/** What probing one backend on this device found. */
export interface BackendProbe {
  backend: BackendName;
  available: boolean;
  /** A software implementation (SwiftShader, a fallback WebGPU adapter): correct but far slower than WASM. */
  software: boolean;
  /** Adapter / renderer / thread description shown to the user. */
  detail: string;
  /** Median time of the probe network on this backend, when it was timed. */
  probeMs?: number;
  /** Why it was not timed or failed. */
  skippedBecause?: string;
}

export interface BackendDecision {
  chosen: BackendName;
  /** One sentence for the UI, e.g. "wasm: fastest of wasm 12.1 ms, cpu 95.0 ms; webgl skipped: software renderer (SwiftShader)". */
  reason: string;
  probes: BackendProbe[];
  /** WASM threads this worker asked tfjs for; absent until WASM was configured in this worker. */
  wasmThreadsRequested?: number;
  /**
   * Threads in the WASM backend's pool, read back from the module (`get_threads_count`) after it
   * initialised; absent while WASM has not started in this worker. This, not the request, is what is shown.
   */
  wasmThreadsActual?: number;
}

/**
 * Most threads the tfjs 4.22 WASM backend can run: its build pre-creates 8 pthread workers and
 * `init_with_threads_count` (backend.cc) caps the pool there.
 */
export const WASM_MAX_THREADS = 8;

/**
 * The pool size tfjs-backend-wasm 4.22 makes of a request: backend.cc computes
 * `num_cores = emscripten_num_logical_cores() / 2` (navigator.hardwareConcurrency, read once when
 * the module instantiates, halved on the assumption of two hyper-threads per core) and
 * `init_with_threads_count` takes min(max(requested, 1), 8, num_cores). So on a 2-core machine a
 * request for 2 threads gives 1. Mirrored here so tests and the UI can say what to expect.
 */
export function wasmPoolThreads(requestedThreads: number, hardwareConcurrency: number): number {
  const numCores = Math.floor(hardwareConcurrency / 2);
  return Math.min(Math.max(Math.floor(requestedThreads), 1), WASM_MAX_THREADS, numCores);
}

/**
 * The navigator.hardwareConcurrency the worker presents while the WASM module instantiates, so
 * that the backend's halving gives exactly the requested pool: 2 × requested (within 1..8).
 */
export function wasmCoresToPresent(requestedThreads: number): number {
  return 2 * Math.min(Math.max(Math.floor(requestedThreads), 1), WASM_MAX_THREADS);
}

/**
 * The app's default WASM thread count: one per logical core, within the backend's cap (on 2 cores,
 * 2 real threads beat 1 for every model when the machine is not busy with other work; see
 * bench/README.md, "WASM threads"); 1 without cross-origin isolation, where there is no
 * SharedArrayBuffer and tfjs loads its single-threaded binary.
 */
export function defaultWasmThreads(logicalCores: number, crossOriginIsolated: boolean): number {
  if (!crossOriginIsolated) return 1;
  return Math.min(Math.max(Math.floor(logicalCores), 1), WASM_MAX_THREADS);
}

/**
 * The WASM probe's detail for the UI: the count read back from the module when it has started,
 * else the request; starts with the number so "N thread(s)" is what the user reads first.
 */
export function wasmThreadsDetail(requestedThreads: number, actualThreads: number | null, crossOriginIsolated: boolean): string {
  const plural = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;
  const notIsolated = crossOriginIsolated ? '' : ' (page is not cross-origin isolated)';
  if (actualThreads === null) return `${plural(requestedThreads)} requested, not started yet${notIsolated}`;
  const short = actualThreads !== requestedThreads ? `; ${requestedThreads} requested` : '';
  return `${plural(actualThreads)} (read back from the WASM module${short})${notIsolated}`;
}

/** Backends in the order Auto prefers them when timings tie (GPU first). */
export const BACKEND_PREFERENCE: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * Whether a backend is worth timing for Auto. Software GPU paths are excluded up front: they are
 * 10–100× slower than WASM here and their first run compiles shaders for seconds.
 */
export function isAutoCandidate(probe: BackendProbe): boolean {
  return probe.available && !probe.software;
}

/** Picks the fastest timed backend; `reason` explains the choice with the measured figures. */
export function decideBackend(probes: BackendProbe[]): BackendDecision {
  const timed = probes
    .filter((p) => p.probeMs !== undefined && Number.isFinite(p.probeMs))
    .sort((a, b) => (a.probeMs ?? 0) - (b.probeMs ?? 0) || BACKEND_PREFERENCE.indexOf(a.backend) - BACKEND_PREFERENCE.indexOf(b.backend));
  const fastest = timed[0];
  const chosen: BackendName = fastest?.backend ?? 'cpu';
  const timings = timed.map((p) => `${p.backend} ${formatMs(p.probeMs ?? 0)}`).join(', ');
  const skipped = probes
    .filter((p) => p.probeMs === undefined)
    .map((p) => `${p.backend} skipped: ${p.skippedBecause ?? (p.available ? 'not timed' : 'unavailable')}`);
  const head = fastest ? `${chosen}: fastest on this device (${timings})` : `${chosen}: no backend could be timed`;
  return { chosen, reason: [head, ...skipped].join('; '), probes };
}

export function formatMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

/** True for renderer/adapter strings of known software rasterisers. */
export function looksLikeSoftwareRenderer(description: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render driver|microsoft basic/i.test(description);
}
