/**
 * The job overhead's arithmetic (core/benchmarkJob): wall ÷ Σ raw over every model × image, the
 * decodes counted once per image, and a job with a missing time is named as incomplete.
 */
import { describe, expect, it } from 'vitest';
import { jobIncompleteness, medianRoundIndex, summariseJob } from '../../src/core/benchmarkJob';

describe('summariseJob', () => {
  // 3 images × 2 models: raw 20 + 80 per image, adapters 22 + 95, decode 6 per image.
  const timed = [0, 1, 2].map(() => ({ decodeMs: 6, modelMs: { 'movenet-lightning': 22, 'blazepose-lite': 95 } }));
  const raw = [0, 1, 2].map(() => ({ rawMs: { 'movenet-lightning': 20, 'blazepose-lite': 80 } }));
  const figures = summariseJob({ modelIds: ['movenet-lightning', 'blazepose-lite'], wallMs: 390, timed, raw });

  it('divides the batch wall time by the sum of every model’s raw time on every image', () => {
    expect(figures.requestCount).toBe(3);
    expect(figures.rawSumMs).toBe(300);
    expect(figures.jobOverhead).toBeCloseTo(1.3, 10);
  });

  it('counts each image’s decode once, whatever the number of models', () => {
    expect(figures.decodeSumMs).toBe(18);
    expect(figures.jobOverheadWithoutDecode).toBeCloseTo((390 - 18) / 300, 10);
  });

  it('splits the wall time into networks, pre/post-processing, decodes and the rest', () => {
    expect(figures.modelSumMs).toBe(351);
    expect(figures.prePostSumMs).toBe(51);
    expect(figures.outsideSumMs).toBe(390 - 351 - 18);
    expect(figures.rawSumMs + figures.prePostSumMs + figures.decodeSumMs + figures.outsideSumMs).toBe(figures.wallMs);
  });

  it('gives per-model sums, counts and what the adapter adds within the job', () => {
    expect(figures.perModel).toEqual([
      { modelId: 'movenet-lightning', rawCount: 3, rawSumMs: 60, modelCount: 3, modelSumMs: 66, adapterOverhead: 66 / 60 },
      { modelId: 'blazepose-lite', rawCount: 3, rawSumMs: 240, modelCount: 3, modelSumMs: 285, adapterOverhead: 285 / 240 },
    ]);
    expect(jobIncompleteness(figures, 3)).toBeNull();
  });

  it('has no ratio without raw time, and names a model whose times are missing', () => {
    const empty = summariseJob({ modelIds: ['movenet-lightning'], wallMs: 50, timed: [{ decodeMs: 5, modelMs: {} }], raw: [{ rawMs: {} }] });
    expect(empty.jobOverhead).toBeNull();
    expect(empty.jobOverheadWithoutDecode).toBeNull();
    expect(jobIncompleteness(empty, 1)).toBe('movenet-lightning: 0 adapter and 0 raw times of 1');
    const short = summariseJob({ modelIds: ['movenet-lightning', 'blazepose-lite'], wallMs: 390, timed, raw: raw.slice(0, 2) });
    expect(jobIncompleteness(short, 3)).toBe('movenet-lightning: 3 adapter and 2 raw times of 3; blazepose-lite: 3 adapter and 2 raw times of 3');
    expect(jobIncompleteness(figures, 4)).toBe('3 requests timed, 4 expected');
  });
});

describe('medianRoundIndex', () => {
  it('reports the round with the median overhead, the lower middle one for an even count', () => {
    expect(medianRoundIndex([1.3, 1.57, 1.59])).toBe(1);
    expect(medianRoundIndex([1.59, 1.3, 1.57])).toBe(2);
    expect(medianRoundIndex([1.2, 1.1])).toBe(1);
    expect(medianRoundIndex([1.4])).toBe(0);
    expect(medianRoundIndex([])).toBe(-1);
  });

  it('counts a round without a ratio as the worst', () => {
    expect(medianRoundIndex([null, 1.2, 1.1])).toBe(1);
  });
});
