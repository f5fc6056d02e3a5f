import { describe, expect, it } from 'vitest';
import { fastestPerModel, selectFastest, type MeasuredConfiguration } from '../../src/core/fastestRuntime';
import type { RuntimeInfo } from '../../src/core/types';

const runtimes: Record<string, RuntimeInfo> = {
  tfjs: { displayName: 'TensorFlow.js', executesOn: 'backend' },
  litert: { displayName: 'LiteRT.js', executesOn: { backend: 'wasm', threads: 1, detail: 'own WASM' } },
};
const models = [
  { id: 'pose-lite', displayName: 'Pose lite' },
  { id: 'movenet', displayName: 'MoveNet' },
  { id: 'pose-lite-litert', displayName: 'Pose lite (LiteRT)', sameModelAs: 'pose-lite' },
];
const row = (modelId: string, runtime: string, configLabel: string, latencyP50Ms: number | null, status: 'ok' | 'failed' = 'ok'): MeasuredConfiguration => ({ modelId, runtime, configLabel, latencyP50Ms, status });

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
