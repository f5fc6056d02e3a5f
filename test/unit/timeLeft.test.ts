import { describe, expect, it } from 'vitest';
import { estimateMsLeft, msPerInference, type CostSample } from '../../src/core/timeLeft';

const steady = (latencyMs: number, inferences = 1): CostSample => ({ latencyMs, inferences, batchStart: false });

describe('time left from measured per-model cost', () => {
  it('prices each pending cell at its model’s time per inference, times its inferences, scaled by wall/model time', () => {
    const costSamples = new Map([
      ['fast', [steady(10), steady(12), steady(11)]],
      ['slow', [steady(100), steady(180, 2), steady(320, 3)]],
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
    // fast: 33 / 3 = 11 per inference; slow: 600 / 6 = 100. (11 + 100 + 3 × 100) × 1.2 by hand.
    expect(estimateMsLeft({ pending, costSamples, recentRequests })).toBeCloseTo(493.2, 9);
  });

  it('weighs requests by their inferences: a one-crop request does not count as much as a thirteen-crop one', () => {
    // Per-request ratios 200 and 100: their median would say 150; the 14 inferences cost 1500.
    expect(msPerInference([steady(200, 1), steady(1300, 13)])).toBeCloseTo(1500 / 14, 9);
  });

  it('leaves out the batch’s first request once a later one is measured, and uses it until then', () => {
    const first: CostSample = { latencyMs: 800, inferences: 4, batchStart: true };
    expect(msPerInference([first])).toBe(200);
    expect(msPerInference([first, steady(440, 4)])).toBe(110);
  });

  it('prices a model without a measurement like the others, is null before any measurement and 0 when done', () => {
    const costSamples = new Map([['a', [steady(20), steady(40)]]]);
    expect(estimateMsLeft({ pending: [{ modelId: 'b', inferences: 2 }], costSamples, recentRequests: [] })).toBe(60);
    expect(estimateMsLeft({ pending: [{ modelId: 'a', inferences: 1 }], costSamples: new Map(), recentRequests: [] })).toBeNull();
    expect(estimateMsLeft({ pending: [], costSamples: new Map(), recentRequests: [] })).toBe(0);
  });
});
