import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  decideBackend,
  defaultWasmThreads,
  isAutoCandidate,
  looksLikeSoftwareRenderer,
  wasmCoresToPresent,
  wasmThreadsDetail,
  type BackendDecision,
  type BackendProbe,
} from '../core/backendDecision';
import type { BackendChoice, BackendName } from '../core/types';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { installSharingWasmCast } from './kernels/wasmCast';
import { installFastWasmTransform } from './kernels/wasmTransform';

/** Where the app serves the tfjs WASM binaries (same origin; see vite.config.ts). */
export const WASM_BINARIES_URL = '/tfjs-wasm/';
/** Probe runs per backend after one warm-up run; the median is reported. */
const PROBE_RUNS = 3;

let configuredWasmThreads: number | null = null;
/** The pool size read back from the WASM module once it has initialised in this worker. */
let actualWasmThreads: number | null = null;

/** The device's logical cores, read before this worker ever presents another count (presentCores). */
const deviceLogicalCores = globalThis.navigator?.hardwareConcurrency ?? 1;

function isCrossOriginIsolated(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** Paths, thread request and kernels for WASM; tfjs reads them at its first start, so only the first call counts. */
function configureWasm(threads: number): void {
  if (configuredWasmThreads !== null) return;
  setWasmPaths(WASM_BINARIES_URL);
  configuredWasmThreads = Math.max(1, threads);
  setThreadsCount(configuredWasmThreads);
  installFastWasmTransform();
  installSharingWasmCast();
}

/** The app's default request: every core (within tfjs's cap of 8) when threads are possible. */
export function wasmThreadCount(): number {
  return defaultWasmThreads(deviceLogicalCores, isCrossOriginIsolated());
}

/**
 * Runs `start` with navigator.hardwareConcurrency reading `cores`, then restores the real value.
 * tfjs-backend-wasm 4.22 halves hardwareConcurrency (read once, as the module instantiates) and caps
 * the requested pool there, so without this `setThreadsCount(2)` on a 2-core machine runs 1 thread.
 * Only in a worker: the override is an own property shadowing WorkerNavigator's getter, and this
 * worker runs nothing else that reads the count meanwhile (WASM starts before any model work).
 */
async function presentCores<T>(cores: number, start: () => Promise<T>): Promise<T> {
  const navigator = globalThis.navigator as Navigator | undefined;
  const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
  if (!navigator || !inWorker) return start();
  Object.defineProperty(navigator, 'hardwareConcurrency', { configurable: true, get: () => cores });
  try {
    return await start();
  } finally {
    Reflect.deleteProperty(navigator, 'hardwareConcurrency');
  }
}

/** Starts the WASM backend with the configured threads and reads back the pool size it really made. */
async function startWasm(): Promise<boolean> {
  configureWasm(wasmThreadCount());
  const requested = configuredWasmThreads ?? 1;
  const ok = await presentCores(wasmCoresToPresent(requested), () => tf.setBackend('wasm'));
  if (ok) actualWasmThreads = getThreadsCount();
  return ok;
}

/** What the worker asked of WASM and what it got, for the decision the UI shows. */
function wasmThreadFacts(): Pick<BackendDecision, 'wasmThreadsRequested' | 'wasmThreadsActual'> {
  return {
    ...(configuredWasmThreads !== null ? { wasmThreadsRequested: configuredWasmThreads } : {}),
    ...(actualWasmThreads !== null ? { wasmThreadsActual: actualWasmThreads } : {}),
  };
}

/** The WASM probe's detail, now that the real thread count may be known. */
function withWasmDetail(probes: BackendProbe[]): BackendProbe[] {
  const detail = wasmThreadsDetail(configuredWasmThreads ?? wasmThreadCount(), actualWasmThreads, isCrossOriginIsolated());
  return probes.map((p) => (p.backend === 'wasm' ? { ...p, detail } : p));
}

async function describeWebGpu(): Promise<Omit<BackendProbe, 'backend'>> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { available: false, software: false, detail: 'navigator.gpu is absent', skippedBecause: 'this browser has WebGPU turned off or does not support it' };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { available: false, software: false, detail: 'no adapter', skippedBecause: 'the browser offers no GPU adapter to WebGPU on this device' };
  const info = adapter.info;
  const description = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  const software = info.isFallbackAdapter || looksLikeSoftwareRenderer(description);
  return {
    available: true,
    software,
    detail: description || 'unnamed adapter',
    ...(software ? { skippedBecause: `software adapter (${info.isFallbackAdapter ? 'isFallbackAdapter' : description})` } : {}),
  };
}

function describeWebGl(): Omit<BackendProbe, 'backend'> {
  if (typeof OffscreenCanvas === 'undefined') return { available: false, software: false, detail: 'no OffscreenCanvas', skippedBecause: 'WebGL unavailable in this context' };
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) return { available: false, software: false, detail: 'no webgl2 context', skippedBecause: 'the browser gives no WebGL 2 context (WebGL turned off, or no GPU driver it accepts)' };
  const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(debugInfo ? gl.getParameter(debugInfo.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  const software = looksLikeSoftwareRenderer(renderer);
  return { available: true, software, detail: renderer, ...(software ? { skippedBecause: `software renderer (${renderer})` } : {}) };
}

/** Describes every backend without timing anything. */
export async function describeBackends(): Promise<BackendProbe[]> {
  const wasmDetail = wasmThreadsDetail(configuredWasmThreads ?? wasmThreadCount(), actualWasmThreads, isCrossOriginIsolated());
  return [
    { backend: 'webgpu', ...(await describeWebGpu()) },
    { backend: 'webgl', ...describeWebGl() },
    { backend: 'wasm', available: typeof WebAssembly === 'object', software: false, detail: wasmDetail },
    { backend: 'cpu', available: true, software: false, detail: 'plain JavaScript' },
  ];
}

/** Names for messages a person reads. */
export const BACKEND_LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

/** GPU contexts and devices already watched (tfjs keeps one backend instance per worker, reused across switches). */
const watchedForLoss = new WeakSet<object>();

/**
 * Calls `onLost` once if the GPU behind `backend` goes away: a lost WebGL context (GPU reset, driver
 * update, the browser reclaiming contexts) or a lost WebGPU device. tfjs does not recover from either
 * (a lost context answers every call with nothing), so the caller restarts the whole worker.
 */
export function watchBackendLoss(backend: BackendName, onLost: (message: string) => void): void {
  if (backend === 'webgl') {
    const canvas = (tf.findBackend('webgl') as MathBackendWebGL | undefined)?.gpgpu.gl.canvas;
    if (!canvas || watchedForLoss.has(canvas)) return;
    watchedForLoss.add(canvas);
    canvas.addEventListener('webglcontextlost', () => onLost('the WebGL context was lost (GPU reset, driver update, or the browser reclaimed it)'), { once: true });
  } else if (backend === 'webgpu') {
    const device = (tf.findBackend('webgpu') as WebGPUBackend | undefined)?.device;
    if (!device || watchedForLoss.has(device)) return;
    watchedForLoss.add(device);
    void device.lost.then((info) => onLost(`the WebGPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''})`));
  }
}

/** How long an error on a GPU backend waits to see whether it was the device going away. */
const LOSS_SETTLE_MS = 250;

/**
 * Whether the GPU behind the active `backend` is gone. An operation that fails as the device goes away
 * fails before the loss is announced (WebGPU: "Buffer was unmapped before mapping was resolved", then
 * `device.lost`), so on WebGPU this waits briefly for the announcement.
 */
export async function backendGpuLost(backend: BackendName): Promise<boolean> {
  if (backend === 'webgl') return (tf.findBackend('webgl') as MathBackendWebGL | undefined)?.gpgpu.gl.isContextLost() ?? false;
  if (backend !== 'webgpu') return false;
  const device = (tf.findBackend('webgpu') as WebGPUBackend | undefined)?.device;
  if (!device) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), LOSS_SETTLE_MS);
  });
  try {
    return await Promise.race([device.lost.then(() => true), settled]);
  } finally {
    clearTimeout(timer);
  }
}

/** Activates a backend; throws with the backend's name when it cannot initialise. */
export async function activateBackend(backend: BackendName): Promise<void> {
  const start = backend === 'wasm' && actualWasmThreads === null ? startWasm : () => tf.setBackend(backend);
  const ok = await start().catch((error: unknown) => {
    throw new Error(`${BACKEND_LABELS[backend]} could not start: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (!ok) throw new Error(`${BACKEND_LABELS[backend]} could not start (tfjs could not initialise it on this device)`);
  await tf.ready();
}

/** Depthwise-separable blocks in the probe network: about the depth of MoveNet Lightning's backbone. */
const PROBE_BLOCKS = 10;
/** A backend whose warm-up run is this much slower than the best so far is not timed further. */
const PROBE_GIVE_UP_RATIO = 5;

/**
 * A MobileNet-like probe (strided stem, depthwise + pointwise blocks, 192×192 input): the shape of
 * the work the pose models do, big enough that GPU dispatch overhead does not dominate (a toy
 * network would make WASM look faster than a real GPU). Returns the median time in ms.
 */
async function timeProbeNetwork(bestSoFarMs: number): Promise<number> {
  const input = tf.randomUniform([1, 192, 192, 3]) as tf.Tensor4D;
  const stem = tf.randomNormal([3, 3, 3, 32], 0, 0.1) as tf.Tensor4D;
  const depthwise = tf.randomNormal([3, 3, 64, 1], 0, 0.1) as tf.Tensor4D;
  const expand = tf.randomNormal([1, 1, 32, 64], 0, 0.1) as tf.Tensor4D;
  const pointwise = tf.randomNormal([1, 1, 64, 64], 0, 0.1) as tf.Tensor4D;
  const run = async () => {
    const out = tf.tidy(() => {
      let x: tf.Tensor4D = tf.relu6(tf.conv2d(input, stem, 2, 'same'));
      x = tf.relu6(tf.conv2d(x, expand, 2, 'same'));
      for (let i = 0; i < PROBE_BLOCKS; i++) {
        x = tf.relu6(tf.depthwiseConv2d(x, depthwise, 1, 'same'));
        x = tf.relu6(tf.conv2d(x, pointwise, 1, 'same'));
      }
      return tf.mean(x);
    });
    await out.data();
    out.dispose();
  };
  try {
    const warmupStartMs = performance.now();
    await run(); // warm-up: shader compilation / kernel set-up
    const warmupMs = performance.now() - warmupStartMs;
    if (warmupMs > PROBE_GIVE_UP_RATIO * bestSoFarMs) return warmupMs;
    const timesMs: number[] = [];
    for (let i = 0; i < PROBE_RUNS; i++) {
      const start = performance.now();
      await run();
      timesMs.push(performance.now() - start);
    }
    timesMs.sort((a, b) => a - b);
    return timesMs[Math.floor(timesMs.length / 2)] ?? Number.NaN;
  } finally {
    tf.dispose([input, stem, depthwise, expand, pointwise]);
  }
}

/**
 * Resolves a backend choice. For 'auto', every available hardware (non-software) backend runs
 * the probe network and the fastest wins; the decision lists every figure and exclusion.
 */
export async function chooseBackend(choice: BackendChoice, wasmThreads?: number): Promise<BackendDecision> {
  if (wasmThreads !== undefined) configureWasm(wasmThreads);
  const probes = await describeBackends();
  if (choice !== 'auto') {
    const probe = probes.find((p) => p.backend === choice);
    // Say why in plain words, before tfjs tries: its own failure for a missing adapter or context is a
    // TypeError logged to the console ("Cannot read properties of null (reading 'features')").
    if (probe && !probe.available) throw new Error(`${BACKEND_LABELS[choice]} could not start: ${probe.skippedBecause ?? probe.detail}`);
    await activateBackend(choice);
    const softwareNote = probe?.software ? ` (software: ${probe.detail}; expect it to be much slower than wasm)` : '';
    return { chosen: choice, reason: `${choice}: chosen by hand${softwareNote}`, probes: withWasmDetail(probes), ...wasmThreadFacts() };
  }
  let bestSoFarMs = Number.POSITIVE_INFINITY;
  for (const probe of probes) {
    if (!isAutoCandidate(probe)) continue;
    // The cpu backend runs the same kernels as wasm in plain JavaScript: never faster, and timing
    // it costs 0.3–0.9 s of every page load here. It is timed only when wasm could not be.
    if (probe.backend === 'cpu' && probes.some((p) => p.backend === 'wasm' && p.probeMs !== undefined)) {
      probe.skippedBecause = 'not timed: plain JavaScript kernels are never faster than wasm';
      continue;
    }
    try {
      await activateBackend(probe.backend);
      probe.probeMs = await timeProbeNetwork(bestSoFarMs);
      bestSoFarMs = Math.min(bestSoFarMs, probe.probeMs);
    } catch (error) {
      probe.skippedBecause = error instanceof Error ? error.message : String(error);
    }
  }
  const decision = decideBackend(probes);
  await activateBackend(decision.chosen);
  return { ...decision, probes: withWasmDetail(decision.probes), ...wasmThreadFacts() };
}
