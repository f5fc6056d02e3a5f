import { describe, expect, it } from 'vitest';
import { estimateMsLeft } from '../../src/core/timeLeft';

describe('time left from measured per-model cost', () => {
  it('prices each pending cell at its model’s median per inference, times its inferences, scaled by wall/model time', () => {
    const perInferenceMs = new Map([
      ['fast', [10, 12, 11]],
      ['slow', [100, 90, 110]],
    ]);
    // Wall ran 1.2× the model time over the last requests.
    const recentRequests = [
      { gapMs: 132, modelMs: 110 },
      { gapMs: 264, modelMs: 220 },
    ];
    const pending = [
      { modelId: 'fast', inferences: 1 },
      { modelId: 'slow', inferences: 1 },
      { modelId: 'slow', inferences: 3 }, // three people under person crops
    ];
    // (11 + 100 + 3 × 100) × 1.2 by hand.
    expect(estimateMsLeft({ pending, perInferenceMs, recentRequests })).toBeCloseTo(493.2, 9);
  });

  it('prices a model without a measurement like the others, is null before any measurement and 0 when done', () => {
    const perInferenceMs = new Map([['a', [20, 40]]]);
    expect(estimateMsLeft({ pending: [{ modelId: 'b', inferences: 2 }], perInferenceMs, recentRequests: [] })).toBe(60);
    expect(estimateMsLeft({ pending: [{ modelId: 'a', inferences: 1 }], perInferenceMs: new Map(), recentRequests: [] })).toBeNull();
    expect(estimateMsLeft({ pending: [], perInferenceMs: new Map(), recentRequests: [] })).toBe(0);
  });
});
