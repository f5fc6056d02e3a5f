import { describe, expect, it } from 'vitest';
import type { CocoKeypointResult, CocoKeypointsGroundTruth } from '../../../src/core/coco/cocoTypes';
import { evaluateColumn, median } from '../../../src/core/evaluation/evaluateColumn';
import {
  BOOTSTRAP_METRICS,
  ResampleEvaluator,
  evaluateResample,
  pairedDifference,
  runBootstrap,
  runBootstrapSync,
  type BootstrapMetricName,
} from '../../../src/core/metrics/bootstrap';
import { percentileInterval, percentileOfSorted } from '../../../src/core/metrics/bootstrapPercentile';
import { SeededRandom, drawResampleCounts } from '../../../src/core/metrics/bootstrapRandom';
import { prepareBootstrapColumn, type BootstrapColumnTable } from '../../../src/core/metrics/bootstrapTable';
import { evaluateKeypoints } from '../../../src/core/metrics/cocoEval';
import { SPLITS, loadExpected, loadGroundTruth, loadResults } from './cocoFixtures';

const PCK = { alpha: 0.2, normalizer: 'bbox' as const };
/** pycocotools' stats index of AP, AP50, AP75 and AR (KEYPOINT_STATS_NAMES order). */
const COCO_STAT_INDEX: Partial<Record<BootstrapMetricName, number>> = { AP: 0, AP50: 1, AP75: 2, AR: 5 };

/** A made-up but fixed latency per image, milliseconds (the bootstrap only needs some spread). */
function latencyOf(imageId: number): number {
  return 20 + (imageId % 97) * 0.75;
}

function column(gt: CocoKeypointsGroundTruth, results: readonly CocoKeypointResult[], columnId: string, imageIds = gt.images.map((i) => i.id)): BootstrapColumnTable {
  return prepareBootstrapColumn({
    columnId,
    displayName: columnId,
    gt,
    imageIds,
    results,
    imageLatencyMs: imageIds.map(latencyOf),
    pck: PCK,
  });
}

/**
 * The set where image i appears counts[i] times: copy c of an image gets id `id × 10 + c` (so the copies sort right
 * after the original, the tie order the bootstrap documents), its annotations `annId × 10 + c`, and its detections
 * again in the original file order.
 */
function duplicatedSet(
  gt: CocoKeypointsGroundTruth,
  results: readonly CocoKeypointResult[],
  imageIds: readonly number[],
  counts: Int32Array,
): { gt: CocoKeypointsGroundTruth; results: CocoKeypointResult[]; latencies: number[] } {
  const copiesOf = new Map(imageIds.map((id, i) => [id, counts[i]!]));
  const images = gt.images.flatMap((image) => Array.from({ length: copiesOf.get(image.id) ?? 0 }, (_, c) => ({ ...image, id: image.id * 10 + c })));
  const annotations = gt.annotations.flatMap((ann) =>
    Array.from({ length: copiesOf.get(ann.image_id) ?? 0 }, (_, c) => ({ ...ann, id: ann.id * 10 + c, image_id: ann.image_id * 10 + c })),
  );
  const out: CocoKeypointResult[] = [];
  for (let c = 0; c < Math.max(...counts); c++) {
    for (const r of results) if ((copiesOf.get(r.image_id) ?? 0) > c) out.push({ ...r, image_id: r.image_id * 10 + c });
  }
  const latencies = images.map((image) => latencyOf(Math.floor(image.id / 10)));
  return { gt: { images, annotations, categories: gt.categories }, results: out, latencies };
}

describe('SeededRandom (xoshiro128**)', () => {
  it('gives the reference implementation outputs for a state and for the documented seeding', () => {
    // Expected values: a separate C implementation written from Blackman & Vigna's description of xoshiro128**
    // and MurmurHash3's fmix32 (gcc, uint32_t arithmetic), not this code.
    const random = new SeededRandom(0);
    random.setState([1, 2, 3, 4]);
    expect(Array.from({ length: 8 }, () => random.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
    const seeded: [number, number[], number[]][] = [
      [1, [1364076727, 2527132011, 314344336, 2535364964], [636218296, 3158027965, 3323989611, 4040419618, 462837848]],
      [42, [142593372, 939911724, 3948730756, 321366731], [2232737388, 3983045435, 1402390257, 3047808751, 1944673702]],
      [4294967295, [2180083513, 920564995, 4230986166, 697614773], [2464728017, 2294272019, 3763359700, 2722482322, 712329379]],
    ];
    for (const [seed, words, outputs] of seeded) {
      const r = new SeededRandom(seed);
      expect(r.state).toEqual(words);
      expect(Array.from({ length: 5 }, () => r.nextUint32())).toEqual(outputs);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 100 }, () => r.nextBelow(40));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('draws every index in [0, n) equally often (within 5 binomial standard deviations)', () => {
    const r = new SeededRandom(3);
    for (const n of [1, 7, 40, 1000]) {
      const draws = 2000 * n;
      const hits = new Float64Array(n);
      for (let i = 0; i < draws; i++) hits[r.nextBelow(n)]!++;
      const p = 1 / n;
      const sd = Math.sqrt(draws * p * (1 - p));
      for (const h of hits) expect(Math.abs(h - draws * p)).toBeLessThanOrEqual(5 * sd + 1e-9);
    }
  });

  it('draws n images with replacement per resample', () => {
    const counts = new Int32Array(40);
    drawResampleCounts(new SeededRandom(1), counts);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(Math.max(...counts)).toBeGreaterThan(1); // P(all distinct) = 40!/40^40 ≈ 1e-16
  });
});

describe('resampled COCO metrics equal the exact evaluation', () => {
  it('the resample drawing every image once is bit-identical to evaluateKeypoints and to pycocotools, every fixture set', () => {
    const expected = loadExpected();
    let checked = 0;
    for (const split of SPLITS) {
      const gt = loadGroundTruth(split);
      for (const name of Object.keys(expected[split])) {
        const results = loadResults(split, name);
        const table = column(gt, results, name);
        const values = evaluateResample(table, new Int32Array(gt.images.length).fill(1));
        const exact = evaluateKeypoints(gt, results).stats;
        for (const [metric, index] of Object.entries(COCO_STAT_INDEX)) {
          expect(values[metric as BootstrapMetricName], `${split}/${name} ${metric}`).toBe(exact[index]);
          expect(values[metric as BootstrapMetricName], `${split}/${name} ${metric} vs pycocotools`).toBe(expected[split][name]!.stats[index]);
        }
        checked++;
      }
    }
    expect(checked).toBe(SPLITS.reduce((sum, split) => sum + Object.keys(expected[split]).length, 0));
    expect(checked).toBeGreaterThanOrEqual(30);
  });

  it('PCK and median latency of the full set equal evaluateColumn', () => {
    const gt = loadGroundTruth('dev');
    const ids = gt.images.map((i) => i.id);
    for (const name of ['mixed_realistic', 'miss30', 'noise_10px', 'zero_kps']) {
      const results = loadResults('dev', name);
      const values = evaluateResample(column(gt, results, name), new Int32Array(ids.length).fill(1));
      const metrics = evaluateColumn({
        columnId: name, displayName: name, protocol: 'whole', gt, imageIdsEvaluated: ids, results,
        latencies: ids.map((id) => ({ imageMs: latencyOf(id), inferences: 1 })), pck: PCK,
      });
      expect(values.PCK).toBe(metrics.pck.value);
      expect(values.medianImageLatencyMs).toBe(metrics.medianImageLatencyMs);
    }
  });

  it('a resample with repeated images equals evaluateKeypoints on a set where those images are literally duplicated', () => {
    const gt = loadGroundTruth('dev');
    const ids = gt.images.map((i) => i.id);
    const random = new SeededRandom(11);
    const counts = new Int32Array(ids.length);
    // 'ties' and 'perfect' have many equal scores across and within images: they check the tie order of the copies.
    for (const name of ['ties', 'perfect', 'mixed_realistic', 'duplicates', 'maxdets_cap', 'ignore_regions', 'miss30', 'random_scores']) {
      const results = loadResults('dev', name);
      const table = column(gt, results, name);
      const evaluator = new ResampleEvaluator(table);
      for (let trial = 0; trial < 4; trial++) {
        drawResampleCounts(random, counts);
        if (trial === 3) counts[0] = 5; // one image far more often than any draw would give, sum ≠ n
        const dup = duplicatedSet(gt, results, ids, counts);
        const exact = evaluateKeypoints(dup.gt, dup.results).stats;
        const values = evaluator.evaluate(counts);
        for (const [metric, index] of Object.entries(COCO_STAT_INDEX)) {
          expect(values[BOOTSTRAP_METRICS.indexOf(metric as BootstrapMetricName)], `${name} trial ${trial} ${metric}`).toBe(exact[index]);
        }
        const dupIds = dup.gt.images.map((i) => i.id);
        const metrics = evaluateColumn({
          columnId: name, displayName: name, protocol: 'whole', gt: dup.gt, imageIdsEvaluated: dupIds, results: dup.results,
          latencies: dup.latencies.map((imageMs) => ({ imageMs, inferences: 1 })), pck: PCK,
        });
        expect(values[BOOTSTRAP_METRICS.indexOf('PCK')], `${name} PCK`).toBe(metrics.pck.value);
        expect(values[BOOTSTRAP_METRICS.indexOf('medianImageLatencyMs')], `${name} latency`).toBe(median(dup.latencies));
      }
    }
  });

  it('a column without detections scores 0 where persons exist, as evaluateColumn', () => {
    const gt = loadGroundTruth('dev');
    const values = evaluateResample(column(gt, [], 'empty'), new Int32Array(gt.images.length).fill(1));
    expect([values.AP, values.AR, values.PCK]).toEqual([0, 0, 0]);
  });
});

/** A column without COCO categories, for PCK and latency checks against closed-form distributions. */
function syntheticTable(latencyMs: number[], pckLabelled: number[], pckCorrect: number[]): BootstrapColumnTable {
  const n = latencyMs.length;
  return {
    columnId: 'synthetic', displayName: 'synthetic', imageIds: Float64Array.from({ length: n }, (_, i) => i + 1),
    oksThresholds: new Float64Array([0.5]), recallThresholds: new Float64Array([0]), categories: [],
    pckLabelledPerImage: Float64Array.from(pckLabelled), pckCorrectPerImage: Float64Array.from(pckCorrect),
    pckAlpha: 0.2, pckNormalizer: 'bbox', imageLatencyMs: Float64Array.from(latencyMs), labelledPeople: 0, timedImages: n,
  };
}

describe('percentile intervals', () => {
  it('percentileOfSorted matches numpy.percentile (linear) on fixed values', () => {
    // Expected: numpy 2.4 np.percentile(x, [2.5, 97.5]) etc., run separately on the same values.
    expect([percentileOfSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.025), percentileOfSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.975)]).toEqual([1.225, 9.775]);
    const seven = [0.3, 0.1, 0.7, 0.2, 0.9, 0.55, 0.41].sort((a, b) => a - b);
    expect([0.025, 0.5, 0.975].map((q) => percentileOfSorted(seven, q))).toEqual([0.115, 0.41, 0.8699999999999999]);
    // numpy took q = 33.3 / 100, a double one ulp away from 0.333: equal to 1e-15, not to the bit.
    expect(percentileOfSorted(seven, 0.333)).toBeCloseTo(0.29979999999999996, 15);
    const values = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i * i * 31 + 7 * i) % 1009) / 7).sort((a, b) => a - b);
    expect([0.025, 0.975, 0.001, 0.5, 0.999].map((q) => percentileOfSorted(values(999), q))).toEqual([3.278571428571429, 140.42857142857142, 0, 69.71428571428571, 144]);
    expect(percentileOfSorted(values(999), 0.333)).toBeCloseTo(45.90485714285713, 12);
    const interval = percentileInterval(values(1000), 1, 0.95);
    expect(interval.lower).toBeCloseTo(3.142857142857143, 12);
    expect(interval.upper).toBeCloseTo(140.42857142857142, 12);
  });

  it('bootstrap of a proportion follows the binomial distribution (PCK with one keypoint per image)', () => {
    // 40 images, one labelled keypoint each, 30 correct: a resample's PCK is Binomial(40, 0.75) / 40 exactly.
    const n = 40;
    const table = syntheticTable(new Array<number>(n).fill(1), new Array<number>(n).fill(1), Array.from({ length: n }, (_, i) => (i < 30 ? 1 : 0)));
    const resamples = 20000;
    const report = runBootstrapSync([table], { resamples, seed: 5 });
    const samples = report.columns[0]!.samples.PCK;
    const pmf: number[] = [];
    let c = 1; // C(n, k), built up exactly
    for (let k = 0; k <= n; k++) {
      pmf.push(c * 0.75 ** k * 0.25 ** (n - k));
      c = (c * (n - k)) / (k + 1);
    }
    const hits = new Float64Array(n + 1);
    for (const v of samples) hits[Math.round(v * n)]!++;
    pmf.forEach((p, k) => expect(Math.abs(hits[k]! - resamples * p), `k = ${k}`).toBeLessThanOrEqual(5 * Math.sqrt(resamples * p * (1 - p)) + 1));
    const quantile = (q: number): number => {
      let cdf = 0;
      for (let k = 0; k <= n; k++) if ((cdf += pmf[k]!) >= q) return k / n;
      return 1;
    };
    const interval = report.columns[0]!.intervals.PCK;
    expect(interval.point).toBe(0.75);
    expect(Math.abs(interval.lower! - quantile(0.025))).toBeLessThanOrEqual(1 / n);
    expect(Math.abs(interval.upper! - quantile(0.975))).toBeLessThanOrEqual(1 / n);
  });

  it('bootstrap of the median latency matches brute-force enumeration of every draw (n = 4)', () => {
    const latencies = [10, 20, 35, 80];
    const n = latencies.length;
    const exact = new Map<number, number>();
    for (let code = 0; code < n ** n; code++) {
      const draw = Array.from({ length: n }, (_, i) => latencies[Math.floor(code / n ** i) % n]!);
      const m = median(draw)!;
      exact.set(m, (exact.get(m) ?? 0) + 1 / n ** n);
    }
    const resamples = 40000;
    const samples = runBootstrapSync([syntheticTable(latencies, [0, 0, 0, 0], [0, 0, 0, 0])], { resamples, seed: 9 }).columns[0]!.samples.medianImageLatencyMs;
    const seen = new Map<number, number>();
    for (const v of samples) seen.set(v, (seen.get(v) ?? 0) + 1);
    expect([...seen.keys()].every((v) => exact.has(v))).toBe(true);
    for (const [value, p] of exact) {
      expect(Math.abs((seen.get(value) ?? 0) - resamples * p), `median ${value}`).toBeLessThanOrEqual(5 * Math.sqrt(resamples * p * (1 - p)) + 1);
    }
  });
});

describe('runBootstrap on fixture data', () => {
  const gt = loadGroundTruth('dev');
  const names = ['mixed_realistic', 'noise_10px', 'perfect', 'miss30'];
  const tables = names.map((name) => column(gt, loadResults('dev', name), name));

  it('intervals contain the point estimate (exact on the full set) for every metric', () => {
    const report = runBootstrapSync(tables, { resamples: 1000 });
    expect(report.resamples).toBe(1000);
    report.columns.forEach((col, c) => {
      const full = evaluateResample(tables[c]!, new Int32Array(gt.images.length).fill(1));
      for (const metric of BOOTSTRAP_METRICS) {
        const interval = col.intervals[metric];
        expect(interval.point, `${col.columnId} ${metric}`).toBe(full[metric]);
        expect(interval.definedResamples).toBe(1000);
        expect(interval.lower!).toBeLessThanOrEqual(interval.point!);
        expect(interval.upper!).toBeGreaterThanOrEqual(interval.point!);
      }
    });
    // A perfect column's AP is 1 on every resample.
    expect(report.columns[2]!.intervals.AP).toMatchObject({ point: 1, lower: 1, upper: 1 });
  });

  it('intervals narrow as images are added: ~1/√n (4 copies of every image halve the width)', () => {
    // Reference: the bootstrap standard error of a smooth statistic scales as 1/√n; a set made of k copies of the
    // same images has the same per-image spread, so its interval should be ~1/√k as wide.
    const ids = gt.images.map((i) => i.id);
    const results = loadResults('dev', 'mixed_realistic');
    const all = runBootstrapSync([column(gt, results, 'all')], { resamples: 2000 }).columns[0]!;
    const dup = duplicatedSet(gt, results, ids, new Int32Array(ids.length).fill(4));
    const times4 = runBootstrapSync([column(dup.gt, dup.results, 'x4')], { resamples: 2000 }).columns[0]!;
    for (const metric of ['AP', 'AR', 'PCK'] as const) {
      const width = (c: typeof all): number => c.intervals[metric].upper! - c.intervals[metric].lower!;
      const ratio = width(times4) / width(all);
      expect(ratio, metric).toBeGreaterThan(0.35);
      expect(ratio, metric).toBeLessThan(0.65);
    }
  });

  it('the paired difference of a column with itself is exactly 0 with a [0, 0] interval', () => {
    const report = runBootstrapSync([tables[0]!, { ...tables[0]!, columnId: 'same again' }], { resamples: 1000 });
    for (const metric of BOOTSTRAP_METRICS) {
      expect(report.pairs[0]!.differences[metric]).toEqual({ point: 0, lower: 0, upper: 0, definedResamples: 1000, significant: false });
    }
  });

  it('pairs use the same resamples: a perfect column is significantly better than a noisy one', () => {
    const report = runBootstrapSync(tables, { resamples: 1000 });
    const pair = report.pairs.find((p) => p.columnIdA === 'noise_10px' && p.columnIdB === 'perfect')!;
    const d = pair.differences.AP;
    expect(d.point).toBe(report.columns[1]!.intervals.AP.point! - 1);
    expect(d.upper!).toBeLessThan(0);
    expect(d.significant).toBe(true);
    // Same draws: the difference is read from the same resample indices.
    const manual = pairedDifference(report.columns[1]!.samples.AR, report.columns[2]!.samples.AR, report.columns[1]!.intervals.AR.point, 1);
    expect(pair.differences.AR).toEqual(manual);
    expect(report.pairs).toHaveLength((tables.length * (tables.length - 1)) / 2);
  });

  it('is reproducible for a seed, reports progress per chunk, and the async runner gives the same report', async () => {
    const progress: [number, number][] = [];
    const sync = runBootstrapSync(tables, { resamples: 1000, seed: 3 });
    const asyncReport = await runBootstrap(tables, { resamples: 1000, seed: 3, chunkResamples: 300, onProgress: (d, t) => progress.push([d, t]) });
    expect(asyncReport).toEqual(sync);
    expect(progress).toEqual([[300, 1000], [600, 1000], [900, 1000], [1000, 1000]]);
    const other = runBootstrapSync(tables, { resamples: 1000, seed: 4 });
    expect(other.columns[0]!.samples.AP).not.toEqual(sync.columns[0]!.samples.AP);
    // Plain data: survives structured cloning (what postMessage does) unchanged.
    expect(structuredClone(sync)).toEqual(sync);
    expect(structuredClone(tables[0])).toEqual(tables[0]);
  });

  it('leaves out resamples where a statistic is undefined: P(no labelled person drawn) = (3/4)^4 with 1 of 4 images labelled', () => {
    const negatives = loadGroundTruth('dev_with_negatives');
    const annotated = new Set(negatives.annotations.map((a) => a.image_id));
    const labelled = negatives.images.find((i) => negatives.annotations.some((a) => a.image_id === i.id && a.num_keypoints > 0 && a.iscrowd === 0))!.id;
    const ids = [labelled, ...negatives.images.filter((i) => !annotated.has(i.id)).slice(0, 3).map((i) => i.id)];
    const results = loadResults('dev_with_negatives', 'perfect');
    const table = prepareBootstrapColumn({ columnId: 'few', displayName: 'few', gt: negatives, imageIds: ids, results, pck: PCK });
    const resamples = 1000;
    const report = runBootstrapSync([table, { ...table, columnId: 'again' }], { resamples });
    const p = 1 - 0.75 ** 4;
    const ap = report.columns[0]!.intervals.AP;
    expect(Math.abs(ap.definedResamples - resamples * p)).toBeLessThanOrEqual(5 * Math.sqrt(resamples * p * (1 - p)));
    expect(report.columns[0]!.samples.AP.filter((v) => Number.isNaN(v))).toHaveLength(resamples - ap.definedResamples);
    expect(report.pairs[0]!.differences.AP.definedResamples).toBe(ap.definedResamples);
    // No latency given (imported predictions): not measured at all.
    expect(report.columns[0]!.intervals.medianImageLatencyMs).toEqual({ point: null, lower: null, upper: null, definedResamples: 0 });
    expect(report.pairs[0]!.differences.medianImageLatencyMs.significant).toBeNull();
  });

  it('stops between chunks when aborted, and refuses columns on different images', async () => {
    const controller = new AbortController();
    const run = runBootstrap(tables, { resamples: 1000, chunkResamples: 100, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(run).rejects.toThrow();
    const fewer = column(gt, loadResults('dev', 'perfect'), 'fewer', gt.images.slice(1).map((i) => i.id));
    expect(() => runBootstrapSync([tables[0]!, fewer])).toThrow(/same images/);
  });
});
