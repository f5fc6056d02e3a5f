import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  decideBackend,
  isAutoCandidate,
  looksLikeSoftwareRenderer,
  type BackendDecision,
  type BackendProbe,
} from '../core/backendDecision';
import type { BackendChoice, BackendName } from '../core/types';
import { installFastWasmTransform } from './kernels/wasmTransform';

/** Where the app serves the tfjs WASM binaries (same origin; see vite.config.ts). */
export const WASM_BINARIES_URL = '/tfjs-wasm/';
/** Probe runs per backend after one warm-up run; the median is reported. */
const PROBE_RUNS = 3;

let configuredWasmThreads: number | null = null;

/** WASM threads need cross-origin isolation; use every core (tfjs defaults to half). Fixed at first WASM start. */
function configureWasm(threads: number): void {
  if (configuredWasmThreads !== null) return;
  setWasmPaths(WASM_BINARIES_URL);
  configuredWasmThreads = Math.max(1, threads);
  setThreadsCount(configuredWasmThreads);
  installFastWasmTransform();
}

export function wasmThreadCount(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return isolated ? (globalThis.navigator?.hardwareConcurrency ?? 1) : 1;
}

async function describeWebGpu(): Promise<Omit<BackendProbe, 'backend'>> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { available: false, software: false, detail: 'navigator.gpu is absent', skippedBecause: 'WebGPU not supported by this browser' };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { available: false, software: false, detail: 'no adapter', skippedBecause: 'no WebGPU adapter' };
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
  if (!gl) return { available: false, software: false, detail: 'no webgl2 context', skippedBecause: 'WebGL 2 unavailable' };
  const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(debugInfo ? gl.getParameter(debugInfo.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  const software = looksLikeSoftwareRenderer(renderer);
  return { available: true, software, detail: renderer, ...(software ? { skippedBecause: `software renderer (${renderer})` } : {}) };
}

/** Describes every backend without timing anything. */
export async function describeBackends(): Promise<BackendProbe[]> {
  const threads = configuredWasmThreads ?? wasmThreadCount();
  const wasmDetail = `${threads} thread${threads === 1 ? '' : 's'}${threads === 1 ? ' (page is not cross-origin isolated)' : ''}`;
  return [
    { backend: 'webgpu', ...(await describeWebGpu()) },
    { backend: 'webgl', ...describeWebGl() },
    { backend: 'wasm', available: typeof WebAssembly === 'object', software: false, detail: wasmDetail },
    { backend: 'cpu', available: true, software: false, detail: 'plain JavaScript' },
  ];
}

/** Activates a backend; throws with the backend's name when it cannot initialise. */
export async function activateBackend(backend: BackendName): Promise<void> {
  if (backend === 'wasm') configureWasm(wasmThreadCount());
  const ok = await tf.setBackend(backend).catch((error: unknown) => {
    throw new Error(`${backend} backend failed to initialise: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (!ok) throw new Error(`${backend} backend failed to initialise`);
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
    await activateBackend(choice);
    const softwareNote = probe?.software ? ` (software: ${probe.detail}; expect it to be much slower than wasm)` : '';
    return { chosen: choice, reason: `${choice}: chosen by hand${softwareNote}`, probes };
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
  return decision;
}
