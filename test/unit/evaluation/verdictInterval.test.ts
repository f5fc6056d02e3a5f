import { describe, expect, it } from 'vitest';
import { runBootstrapSync } from '../../../src/core/metrics/bootstrap';
import type { BootstrapInterval } from '../../../src/core/metrics/bootstrapPercentile';
import { prepareBootstrapColumn } from '../../../src/core/metrics/bootstrapTable';
import { intervalVerdict, intervalVerdictRow } from '../../../src/core/evaluation/verdictInterval';
import { loadGroundTruth, loadResults } from '../metrics/cocoFixtures';

const interval = (lower: number, point: number, upper: number): BootstrapInterval => ({ point, lower, upper, definedResamples: 1000 });
const atLeast = (threshold: number) => ({ comparison: 'atLeast' as const, threshold });
const atMost = (threshold: number) => ({ comparison: 'atMost' as const, threshold });

describe('intervalVerdict', () => {
  it('has three outcomes: the whole interval meets, misses, or straddles the target', () => {
    expect(intervalVerdict(interval(0.72, 0.75, 0.78), atLeast(0.7), 50).outcome).toBe('pass');
    expect(intervalVerdict(interval(0.6, 0.64, 0.68), atLeast(0.7), 50).outcome).toBe('fail');
    expect(intervalVerdict(interval(0.66, 0.71, 0.76), atLeast(0.7), 50).outcome).toBe('inconclusive');
    expect(intervalVerdict(interval(0.6, 0.68, 0.71), atLeast(0.7), 50).outcome).toBe('inconclusive');
    // Ends on the threshold meet it (≥ and ≤ are inclusive).
    expect(intervalVerdict(interval(0.7, 0.75, 0.8), atLeast(0.7), 50).outcome).toBe('pass');
    expect(intervalVerdict(interval(20, 30, 50), atMost(50), 40).outcome).toBe('pass');
    expect(intervalVerdict(interval(51, 60, 70), atMost(50), 40).outcome).toBe('fail');
    expect(intervalVerdict(interval(40, 48, 55), atMost(50), 40).outcome).toBe('inconclusive');
  });

  it('estimates the people needed as n × (half-width / distance)², only when inconclusive', () => {
    // Symmetric interval: half-width 0.05, distance 0.01 → 50 × 25 = 1250 people, 1200 more.
    const v = intervalVerdict(interval(0.66, 0.71, 0.76), atLeast(0.7), 50);
    expect(v.sampleSizeNeeded).toBe(1250);
    expect(v.moreNeeded).toBe(1200);
    // Half-width 0.04 at distance 0.02 from below: (0.04 / 0.02)² = 4 → 4 × 30 = 120.
    const below = intervalVerdict(interval(0.6, 0.68, 0.72), atLeast(0.7), 30);
    expect(below.sampleSizeNeeded).toBe(120);
    // Asymmetric: the side facing the threshold counts (point − lower = 0.08 at distance 0.04 → ×4, where the
    // symmetric half-width 0.045 would say ×1.27).
    const skewed = intervalVerdict(interval(0.66, 0.74, 0.75), atLeast(0.7), 10);
    expect(skewed.sampleSizeNeeded).toBe(40);
    expect(intervalVerdict(interval(0.72, 0.75, 0.78), atLeast(0.7), 50)).toMatchObject({ sampleSizeNeeded: null, moreNeeded: null });
    expect(intervalVerdict(interval(0.6, 0.64, 0.68), atLeast(0.7), 50)).toMatchObject({ sampleSizeNeeded: null, moreNeeded: null });
    // Point exactly on the target: no amount of data is predicted to settle it.
    expect(intervalVerdict(interval(0.65, 0.7, 0.75), atLeast(0.7), 50)).toMatchObject({ outcome: 'inconclusive', sampleSizeNeeded: null });
  });

  it('is not measured without an interval', () => {
    const none: BootstrapInterval = { point: null, lower: null, upper: null, definedResamples: 0 };
    expect(intervalVerdict(none, atLeast(0.5), 0).outcome).toBeNull();
  });

  it('the people estimate holds on fixture data: at the predicted 16× the people the interval reaches the target', () => {
    // Independent check of the 1/√n assumption on real data: choose a threshold the 38-image interval straddles at
    // a quarter of its half-width; the formula then asks for 16× the people. With every image copied 16 times the
    // interval is ~1/4 as wide and should settle the target.
    const gt = loadGroundTruth('dev');
    const results = loadResults('dev', 'mixed_realistic');
    const ids = gt.images.map((i) => i.id);
    const table = prepareBootstrapColumn({ columnId: 'm', displayName: 'm', gt, imageIds: ids, results, pck: { alpha: 0.2, normalizer: 'bbox' } });
    const column = runBootstrapSync([table], { resamples: 1000 }).columns[0]!;
    const ap = column.intervals.AP;
    const threshold = ap.point! - (ap.point! - ap.lower!) / 4;
    const row = intervalVerdictRow(column, { apMin: threshold, pckMin: null, latencyMaxMs: null });
    const check = row.checks[0]!.verdict;
    expect(row.outcome).toBe('inconclusive');
    expect(check.sampleSize).toBe(table.labelledPeople);
    expect(check.sampleSizeNeeded! / table.labelledPeople).toBeCloseTo(16, 0);
    const copies = 16;
    const manyIds = ids.flatMap((id) => Array.from({ length: copies }, (_, c) => id * 100 + c));
    const manyGt = {
      images: gt.images.flatMap((image) => Array.from({ length: copies }, (_, c) => ({ ...image, id: image.id * 100 + c }))),
      annotations: gt.annotations.flatMap((a) => Array.from({ length: copies }, (_, c) => ({ ...a, id: a.id * 100 + c, image_id: a.image_id * 100 + c }))),
      categories: gt.categories,
    };
    const manyResults = results.flatMap((r) => Array.from({ length: copies }, (_, c) => ({ ...r, image_id: r.image_id * 100 + c })));
    const many = prepareBootstrapColumn({ columnId: 'm16', displayName: 'm16', gt: manyGt, imageIds: manyIds, results: manyResults, pck: { alpha: 0.2, normalizer: 'bbox' } });
    const manyColumn = runBootstrapSync([many], { resamples: 1000 }).columns[0]!;
    expect(manyColumn.intervals.AP.point).toBeCloseTo(ap.point!, 12);
    // At about the predicted sample size the interval's lower end sits near the threshold (within a third of the old half-width).
    expect(Math.abs(manyColumn.intervals.AP.lower! - threshold)).toBeLessThan((ap.point! - ap.lower!) / 3);
  });

  it('a row fails if any target fails, is inconclusive if any is, passes when all pass', () => {
    const column = {
      columnId: 'c', displayName: 'C', labelledPeople: 40, timedImages: 20, samples: {} as never,
      intervals: {
        AP: interval(0.6, 0.65, 0.7), AP50: interval(0, 0, 0), AP75: interval(0, 0, 0), AR: interval(0, 0, 0),
        PCK: interval(0.8, 0.85, 0.9), medianImageLatencyMs: interval(20, 25, 30),
      },
    };
    expect(intervalVerdictRow(column, { apMin: 0.5, pckMin: 0.7, latencyMaxMs: 40 }).outcome).toBe('pass');
    expect(intervalVerdictRow(column, { apMin: 0.62, pckMin: 0.7, latencyMaxMs: 40 }).outcome).toBe('inconclusive');
    expect(intervalVerdictRow(column, { apMin: 0.62, pckMin: 0.95, latencyMaxMs: 40 }).outcome).toBe('fail');
    const latency = intervalVerdictRow(column, { apMin: null, pckMin: null, latencyMaxMs: 27 }).checks[0]!.verdict;
    expect(latency).toMatchObject({ outcome: 'inconclusive', sampleUnit: 'images', sampleSize: 20, sampleSizeNeeded: Math.ceil(20 * (5 / 2) ** 2) });
    expect(intervalVerdictRow(column, { apMin: null, pckMin: null, latencyMaxMs: null }).outcome).toBeNull();
  });
});
