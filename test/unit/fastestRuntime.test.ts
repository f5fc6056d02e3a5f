import { describe, expect, it } from 'vitest';
import { autoRuntimeChoices, autoSelection, autoSkipsRuntime, fastestPerModel, selectFastest, withTwins, type MeasuredConfiguration } from '../../src/core/fastestRuntime';
import type { BackendName, RuntimeInfo } from '../../src/core/types';

const runtimes: Record<string, RuntimeInfo> = {
  tfjs: { displayName: 'TensorFlow.js', executesOn: 'backend' },
  litert: { displayName: 'LiteRT.js', executesOn: { backend: 'wasm', threads: 1, detail: 'own WASM' } },
  solutions: { displayName: 'MediaPipe Solutions', executesOn: { backend: 'webgl', threads: null, detail: 'own WebGL' } },
};
const models = [
  { id: 'pose-lite', displayName: 'Pose lite' },
  { id: 'movenet', displayName: 'MoveNet' },
  { id: 'pose-lite-litert', displayName: 'Pose lite (LiteRT)', sameModelAs: 'pose-lite' },
  { id: 'pose-lite-solutions', displayName: 'Pose lite (Solutions)', sameModelAs: 'pose-lite' },
];
const row = (modelId: string, runtime: string, configLabel: string, latencyP50Ms: number | null, status: 'ok' | 'failed' = 'ok'): MeasuredConfiguration => ({
  modelId,
  runtime,
  configLabel,
  backend: configLabel.split(' ')[0] as BackendName,
  latencyP50Ms,
  status,
});

describe('fastest runtime × backend per model', () => {
  const rows = [
    row('pose-lite', 'tfjs', 'wasm ×2', 95.1),
    row('pose-lite', 'tfjs', 'webgl', 1203),
    row('pose-lite-litert', 'litert', 'wasm ×1', 77.5),
    row('movenet', 'tfjs', 'wasm ×2', 40),
    row('movenet', 'tfjs', 'webgl', null, 'failed'),
  ];

  it('compares a model with its twins on other runtimes, names the fastest and every figure it was chosen from', () => {
    const choices = fastestPerModel(rows, models, runtimes);
    // MoveNet has one configuration that ran: nothing to choose.
    expect(choices.map((c) => c.modelId)).toEqual(['pose-lite']);
    const [choice] = choices;
    expect(choice!.fastest).toMatchObject({ modelId: 'pose-lite-litert', configLabel: 'wasm ×1' });
    expect(choice!.others.map((c) => c.latencyP50Ms)).toEqual([95.1, 1203]);
    // 95.1 / 77.5 = 1.227 by hand.
    expect(choice!.reason).toBe(
      'Pose lite: fastest on LiteRT.js on wasm ×1 (77.5 ms), 1.23× faster than TensorFlow.js on wasm ×2 (95.1 ms); also measured: TensorFlow.js on webgl (1203 ms) (median per-image latency through the app’s whole pipeline, this benchmark’s images)',
    );
  });

  it('swaps each selected model for its fastest twin, keeping order and dropping a twin picked twice', () => {
    const choices = fastestPerModel(rows, models, runtimes);
    expect(selectFastest(['movenet', 'pose-lite'], choices, models)).toEqual(['movenet', 'pose-lite-litert']);
    expect(selectFastest(['pose-lite', 'pose-lite-litert', 'movenet'], choices, models)).toEqual(['pose-lite-litert', 'movenet']);
    // When tfjs wins, a selected LiteRT twin is swapped back.
    const tfjsWins = fastestPerModel([row('pose-lite', 'tfjs', 'wasm ×2', 50), row('pose-lite-litert', 'litert', 'wasm ×1', 77.5)], models, runtimes);
    expect(selectFastest(['pose-lite-litert'], tfjsWins, models)).toEqual(['pose-lite']);
  });
});

describe('Auto: the fastest runtime it can run here', () => {
  const rows = [
    row('pose-lite', 'tfjs', 'wasm ×2', 95.1),
    row('pose-lite', 'tfjs', 'webgl', 30),
    row('pose-lite-litert', 'litert', 'wasm ×1', 77.5),
    row('pose-lite-solutions', 'solutions', 'webgl', 20),
    row('movenet', 'tfjs', 'wasm ×2', 40),
  ];

  it('leaves out tfjs rows of another tfjs backend than the active one, and runtimes on a software GPU, saying so', () => {
    const [choice] = autoRuntimeChoices(rows, models, runtimes, { activeBackend: 'wasm', softwareBackends: ['webgl'] });
    expect(choice!.fastest.modelId).toBe('pose-lite-litert');
    expect(choice!.others.map((o) => o.configLabel)).toEqual(['wasm ×2']);
    expect(choice!.reason).toContain('1.23× faster than TensorFlow.js on wasm ×2 (95.1 ms)');
    expect(choice!.reason).toContain('webgl not used: the tfjs backend in use is wasm');
    expect(choice!.reason).toContain('MediaPipe Solutions skipped: it runs on webgl, a software renderer on this device');
    // On a real GPU the solution wins; the tfjs webgl row still competes only when webgl is the active backend.
    const gpu = autoRuntimeChoices(rows, models, runtimes, { activeBackend: 'webgl', softwareBackends: [] });
    expect(gpu[0]!.fastest.modelId).toBe('pose-lite-solutions');
    expect(gpu[0]!.others.map((o) => `${o.modelId} ${o.configLabel}`)).toEqual(['pose-lite webgl', 'pose-lite-litert wasm ×1']);
    expect(autoSkipsRuntime('tfjs', runtimes, { activeBackend: 'webgl', softwareBackends: ['webgl'] })).toBeNull();
  });

  it('swaps a model chosen alone for its fastest twin, leaves twins chosen together, and only the groups asked', () => {
    const choices = autoRuntimeChoices(rows, models, runtimes, { activeBackend: 'wasm', softwareBackends: ['webgl'] });
    expect(autoSelection(['movenet', 'pose-lite'], choices, models)).toEqual(['movenet', 'pose-lite-litert']);
    expect(autoSelection(['pose-lite', 'pose-lite-solutions'], choices, models)).toEqual(['pose-lite', 'pose-lite-solutions']);
    expect(autoSelection(['pose-lite'], choices, models, new Set(['movenet']))).toEqual(['pose-lite']);
    expect(withTwins(['pose-lite-litert'], models)).toEqual(['pose-lite', 'pose-lite-litert', 'pose-lite-solutions']);
  });
});
