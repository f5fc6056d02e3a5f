import { describe, expect, it } from 'vitest';
import { decideBackend, isAutoCandidate, looksLikeSoftwareRenderer, type BackendProbe } from '../../src/core/backendDecision';

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
