import { describe, expect, it } from 'vitest';
import {
  WASM_MAX_THREADS,
  decideBackend,
  defaultWasmThreads,
  isAutoCandidate,
  looksLikeSoftwareRenderer,
  wasmCoresToPresent,
  wasmPoolThreads,
  wasmThreadsDetail,
  type BackendProbe,
} from '../../src/core/backendDecision';

const swiftShaderGl = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';

describe('Auto backend decision', () => {
  it('recognises software renderers and not real GPUs', () => {
    expect(looksLikeSoftwareRenderer(swiftShaderGl)).toBe(true);
    expect(looksLikeSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(looksLikeSoftwareRenderer('ANGLE (NVIDIA, NVIDIA H100 PCIe Direct3D11 vs_5_0 ps_5_0)')).toBe(false);
    expect(looksLikeSoftwareRenderer('nvidia hopper')).toBe(false);
  });

  it('never times software or unavailable backends', () => {
    expect(isAutoCandidate({ backend: 'webgl', available: true, software: true, detail: swiftShaderGl })).toBe(false);
    expect(isAutoCandidate({ backend: 'webgpu', available: false, software: false, detail: '' })).toBe(false);
    expect(isAutoCandidate({ backend: 'wasm', available: true, software: false, detail: '2 threads' })).toBe(true);
  });

  it('on a CPU-only machine picks WASM and says why the GPU paths were skipped', () => {
    const probes: BackendProbe[] = [
      { backend: 'webgpu', available: true, software: true, detail: 'swiftshader', skippedBecause: 'software adapter (isFallbackAdapter)' },
      { backend: 'webgl', available: true, software: true, detail: swiftShaderGl, skippedBecause: `software renderer (${swiftShaderGl})` },
      { backend: 'wasm', available: true, software: false, detail: '2 threads', probeMs: 21.4 },
      { backend: 'cpu', available: true, software: false, detail: 'plain JavaScript', probeMs: 640 },
    ];
    const decision = decideBackend(probes);
    expect(decision.chosen).toBe('wasm');
    expect(decision.reason).toContain('wasm 21.4 ms');
    expect(decision.reason).toContain('cpu 640 ms');
    expect(decision.reason).toContain('webgpu skipped: software adapter');
    expect(decision.reason).toContain('webgl skipped: software renderer');
  });

  it('on a real GPU picks the GPU backend that measured fastest', () => {
    const probes: BackendProbe[] = [
      { backend: 'webgpu', available: true, software: false, detail: 'nvidia hopper', probeMs: 2.1 },
      { backend: 'webgl', available: true, software: false, detail: 'NVIDIA H100', probeMs: 3.5 },
      { backend: 'wasm', available: true, software: false, detail: '16 threads', probeMs: 9.8 },
      { backend: 'cpu', available: true, software: false, detail: 'plain JavaScript', probeMs: 300 },
    ];
    expect(decideBackend(probes).chosen).toBe('webgpu');
    probes[1] = { ...probes[1]!, probeMs: 1.5 };
    expect(decideBackend(probes).chosen).toBe('webgl');
  });

  it('prefers the GPU on an exact tie and falls back to cpu when nothing could be timed', () => {
    const tie: BackendProbe[] = [
      { backend: 'wasm', available: true, software: false, detail: '', probeMs: 5 },
      { backend: 'webgl', available: true, software: false, detail: '', probeMs: 5 },
    ];
    expect(decideBackend(tie).chosen).toBe('webgl');
    const none = decideBackend([{ backend: 'wasm', available: false, software: false, detail: '', skippedBecause: 'no WebAssembly' }]);
    expect(none.chosen).toBe('cpu');
    expect(none.reason).toContain('wasm skipped: no WebAssembly');
  });
});

describe('WASM thread count', () => {
  it('mirrors tfjs-backend-wasm 4.22: the pool is capped at half of hardwareConcurrency and at 8', () => {
    // The bug: on a 2-core machine a request for 2 threads runs 1.
    expect(wasmPoolThreads(2, 2)).toBe(1);
    expect(wasmPoolThreads(1, 2)).toBe(1);
    expect(wasmPoolThreads(4, 8)).toBe(4);
    expect(wasmPoolThreads(8, 8)).toBe(4);
    expect(wasmPoolThreads(16, 64)).toBe(WASM_MAX_THREADS);
    expect(wasmPoolThreads(0, 8)).toBe(1);
  });

  it('presents twice the request, so the halving in the backend gives exactly the request', () => {
    for (const requested of [1, 2, 3, 4, 5, 6, 7, 8]) {
      expect(wasmCoresToPresent(requested)).toBe(2 * requested);
      expect(wasmPoolThreads(requested, wasmCoresToPresent(requested))).toBe(requested);
    }
    // Beyond the 8 pre-created workers tfjs cannot go; 0 or less still means one thread.
    expect(wasmPoolThreads(12, wasmCoresToPresent(12))).toBe(WASM_MAX_THREADS);
    expect(wasmCoresToPresent(0)).toBe(2);
  });

  it('defaults to every core within the cap, and to 1 without cross-origin isolation', () => {
    expect(defaultWasmThreads(2, true)).toBe(2);
    expect(defaultWasmThreads(1, true)).toBe(1);
    expect(defaultWasmThreads(32, true)).toBe(WASM_MAX_THREADS);
    expect(defaultWasmThreads(8, false)).toBe(1);
  });

  it('describes the count read back first, and the request only when it differs or WASM has not started', () => {
    expect(wasmThreadsDetail(2, 2, true)).toBe('2 threads (read back from the WASM module)');
    expect(wasmThreadsDetail(2, 1, true)).toBe('1 thread (read back from the WASM module; 2 requested)');
    expect(wasmThreadsDetail(2, null, true)).toBe('2 threads requested, not started yet');
    expect(wasmThreadsDetail(1, 1, false)).toBe('1 thread (read back from the WASM module) (page is not cross-origin isolated)');
  });
});
