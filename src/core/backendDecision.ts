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
