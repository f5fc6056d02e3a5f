/**
 * coco-analyze (Ronchi & Perona's keypoint error analysis) against the tool's own outputs on all 34 vector sets
 * (shared/coco-analyze-vectors, reduced into test/fixtures/coco-analyze; ground truth and the 31 coco-eval
 * prediction sets come from test/fixtures/coco-eval).
 *
 * Counts, labels, matches and background sets must be equal; AP and recall within 1e-12 (numpy's pairwise means
 * are emulated, so they come out bit-identical in practice). One documented exception: in synth_jitter_known one
 * detection's OKS lies exactly on the 0.65 threshold in real arithmetic, and which side of it the float lands on
 * depends on the last bit of `exp` (see the last test).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { CocoKeypointResult } from '../../../src/core/coco/cocoTypes';
import { parseResults } from '../../../src/core/coco/parseResults';
import { evaluateKeypoints } from '../../../src/core/metrics/cocoEval';
import {
  analyzeKeypointErrors,
  AP_IMPACT_ERROR_TYPES,
  COCO_ANALYZE_AREA_RANGES,
  COCO_ANALYZE_OKS_THRESHOLDS,
  CUMULATIVE_ORDER,
  type CocoAnalyzeResult,
} from '../../../src/core/metrics/cocoAnalyze';
import { COCO17 } from '../../../src/core/layouts/builtinLayouts';
import { loadGroundTruth, loadRawResults, loadResults, SPLITS, type Split } from './cocoFixtures';

const TOLERANCE = 1e-12;
const FIXTURE_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'coco-analyze');
const AREAS = ['all', 'medium', 'large'] as const;

type ByArea = Record<string, number[]>;
interface ExpectedAnalysis {
  status: string;
  n_results: number;
  n_dets_analysed: number;
  n_images_with_dets: number;
  teamMaxDets: number[];
  evaluate_stats: number[];
  ap_impact: { ap: Record<string, ByArea>; recall: Record<string, ByArea>; ap_improvement: Record<string, ByArea> };
  localization: {
    n_dets: number;
    n_matches_at_oksLocThrs: number;
    nk0_matched_result_indices: number[];
    n_analysed: number;
    total_keypoints: number;
    counts: Record<string, number>;
    per_keypoint: Record<string, number[]>;
    /** [result_index (1-based), gt_id, gt_ignore, labels, oks] */
    per_detection: [number, number, number, string, number][];
  };
  background: {
    dt_matches: number[];
    bckgd_fp: number[];
    gt_matches: number[];
    false_neg: number[];
    fp_at_all_oks_result_indices: number[];
    fn_at_all_oks_gt_ids: number[];
    fn_at_all_oks_with_keypoints: number;
    n_gt_annotations: number;
  };
  cumulative: { order: string[]; ap: Record<string, ByArea>; recall: Record<string, ByArea> };
}

function readGz(name: string): unknown {
  return JSON.parse(new TextDecoder().decode(gunzipSync(readFileSync(join(FIXTURE_DIR, name))))) as unknown;
}
const expectedAll = readGz('expected.json.gz') as Record<Split, Record<string, ExpectedAnalysis>>;
const synthetic = readGz('results.synthetic.json.gz') as Partial<Record<Split, Record<string, unknown[]>>>;

function resultsOf(split: Split, name: string): CocoKeypointResult[] {
  const raw = synthetic[split]?.[name];
  if (!raw) return loadResults(split, name);
  const parsed = parseResults(raw, { groundTruth: loadGroundTruth(split) });
  if (!parsed.value || parsed.value.length !== raw.length) throw new Error(`synthetic set ${split}/${name} did not parse`);
  return parsed.value;
}

const sets: [Split, string][] = SPLITS.flatMap((split) => Object.keys(expectedAll[split]).map((name): [Split, string] => [split, name]));
const cache = new Map<string, CocoAnalyzeResult>();
function analysisOf(split: Split, name: string): CocoAnalyzeResult {
  const key = `${split}/${name}`;
  let result = cache.get(key);
  if (!result) {
    result = analyzeKeypointErrors(loadGroundTruth(split), resultsOf(split, name));
    cache.set(key, result);
  }
  return result;
}

/**
 * Entries of synth_jitter_known that depend on the knife-edge OKS at threshold 0.65 (index 3): 'all' and 'medium'
 * rows at that threshold, and the evaluate() stats that average over every threshold in those ranges.
 */
const KNIFE_EDGE = { set: 'dev/synth_jitter_known', thresholdIndex: 3, areas: new Set(['all', 'medium']), stats: new Set([0, 3, 5, 8]) };
const onKnifeEdge = (key: string, area: string, t: number): boolean =>
  key === KNIFE_EDGE.set && t === KNIFE_EDGE.thresholdIndex && KNIFE_EDGE.areas.has(area);

/** Largest |difference| of two per-area tables over every entry not on the knife edge. */
function worstDifference(key: string, actual: Readonly<Record<string, Readonly<Record<string, readonly number[]>>>>, expected: Record<string, ByArea>, rows: readonly string[]): number {
  let worst = 0;
  for (const row of rows) {
    for (const area of AREAS) {
      const a = actual[row]?.[area];
      const e = expected[row]?.[area];
      expect(a, `${key} ${row}.${area}`).toBeDefined();
      expect(a!.length, `${key} ${row}.${area}`).toBe(e!.length);
      a!.forEach((value, t) => {
        if (onKnifeEdge(key, area, t)) return;
        const difference = Math.abs(value - e![t]!);
        // Both -1 (no ground truth in range) or both values: NaN never appears.
        worst = Math.max(worst, Number.isNaN(difference) ? Number.POSITIVE_INFINITY : difference);
      });
    }
  }
  return worst;
}

describe('coco-analyze vectors', () => {
  it('covers all 34 analysed sets, 3 of them synthetic', () => {
    expect(sets).toHaveLength(34);
    expect(Object.keys(synthetic.dev ?? {}).sort()).toEqual(['synth_jitter_known', 'synth_lr_swap', 'synth_person_swap']);
    for (const [split, name] of sets) expect(expectedAll[split][name]!.status, `${split}/${name}`).toBe('ok');
  });

  it('uses the tool parameters: Q1 area ranges, Q7 decimal thresholds, COCO-17 names', () => {
    expect(COCO_ANALYZE_AREA_RANGES.map((r) => [r.label, r.minAreaPx2, r.maxAreaPx2])).toEqual([
      ['all', 1024, 1e10],
      ['medium', 1024, 9216],
      ['large', 9216, 1e10],
    ]);
    expect(COCO_ANALYZE_OKS_THRESHOLDS[8]).toBe(0.9);
    const result = analysisOf('dev', 'perfect');
    expect(result.params.keypointNames).toBe(COCO17.keypointNames);
    expect(result.cumulative.order).toEqual(CUMULATIVE_ORDER);
  });

  it.each(sets)('%s/%s: prefilter, evaluate() stats', (split, name) => {
    const key = `${split}/${name}`;
    const expected = expectedAll[split][name]!;
    const result = analysisOf(split, name);
    expect(result.resultCount).toBe(expected.n_results);
    expect(result.analysedDetectionCount).toBe(expected.n_dets_analysed);
    expect(result.imagesWithDetections).toBe(expected.n_images_with_dets);
    expect([result.maxDetectionsPerImage]).toEqual(expected.teamMaxDets);
    result.evaluateStats.forEach((value, i) => {
      if (key === KNIFE_EDGE.set && KNIFE_EDGE.stats.has(i)) return;
      expect(Math.abs(value - expected.evaluate_stats[i]!), `stat ${i}: ${value} vs ${expected.evaluate_stats[i]}`).toBeLessThanOrEqual(TOLERANCE);
    });
  });

  it.each(sets)('%s/%s: localisation classes, counts and per-detection labels are equal', (split, name) => {
    const expected = expectedAll[split][name]!.localization;
    const result = analysisOf(split, name).localization;
    expect(result.matchedCount).toBe(expected.n_matches_at_oksLocThrs);
    expect(result.skippedNoKeypointMatches.map((i) => i + 1)).toEqual(expected.nk0_matched_result_indices);
    expect(result.analysedCount).toBe(expected.n_analysed);
    expect(result.totalKeypoints).toBe(expected.total_keypoints);
    expect(result.counts).toEqual(expected.counts);
    expect(result.perKeypoint).toEqual(expected.per_keypoint);
    expect(result.detections.map((d) => [d.resultIndex + 1, d.gtAnnotationId, d.gtIgnored ? 1 : 0, d.labels.join('')])).toEqual(
      expected.per_detection.map(([index, gtId, ignore, labels]) => [index, gtId, ignore, labels]),
    );
    result.detections.forEach((d, i) => {
      expect(Math.abs(d.oks - expected.per_detection[i]![4]), `oks of result ${d.resultIndex + 1}`).toBeLessThanOrEqual(TOLERANCE);
    });
    // The five classes add up to the labelled keypoints of the analysed people.
    const { good, jitter, inversion, swap, miss } = result.counts;
    expect(good + jitter + inversion + swap + miss).toBe(result.totalKeypoints);
  });

  it.each(sets)('%s/%s: background false positives and false negatives per OKS threshold are equal', (split, name) => {
    const key = `${split}/${name}`;
    const expected = expectedAll[split][name]!.background;
    const result = analysisOf(split, name).background;
    const fields: [readonly number[], number[]][] = [
      [result.matchedDetections, expected.dt_matches],
      [result.falsePositives, expected.bckgd_fp],
      [result.matchedGroundTruth, expected.gt_matches],
      [result.falseNegatives, expected.false_neg],
    ];
    for (const [actual, wanted] of fields) {
      if (key === KNIFE_EDGE.set) {
        // The knife-edge pair is matched here at 0.65 and not in the tool: exactly one detection and one person move.
        const t = KNIFE_EDGE.thresholdIndex;
        expect(Math.abs(actual[t]! - wanted[t]!)).toBe(1);
        expect(actual.filter((_, i) => i !== t)).toEqual(wanted.filter((_, i) => i !== t));
      } else {
        expect(actual).toEqual(wanted);
      }
    }
    expect(result.falsePositivesAtAllThresholds.map((i) => i + 1)).toEqual(expected.fp_at_all_oks_result_indices);
    expect(result.falseNegativesAtAllThresholds).toEqual(expected.fn_at_all_oks_gt_ids);
    expect(result.falseNegativesWithKeypointsAtAllThresholds).toBe(expected.fn_at_all_oks_with_keypoints);
    expect(result.groundTruthCount).toBe(expected.n_gt_annotations);
  });

  it.each(sets)('%s/%s: AP impact of fixing each error type, and the improvements, within 1e-12', (split, name) => {
    const key = `${split}/${name}`;
    const expected = expectedAll[split][name]!.ap_impact;
    const result = analysisOf(split, name).apImpact;
    const rows = ['baseline', ...AP_IMPACT_ERROR_TYPES];
    expect(Object.keys(expected.ap).sort()).toEqual([...rows].sort());
    expect(worstDifference(key, result.ap, expected.ap, rows)).toBeLessThanOrEqual(TOLERANCE);
    expect(worstDifference(key, result.recall, expected.recall, rows)).toBeLessThanOrEqual(TOLERANCE);
    expect(worstDifference(key, result.improvement, expected.ap_improvement, AP_IMPACT_ERROR_TYPES)).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each(sets)('%s/%s: cumulative corrections within 1e-12', (split, name) => {
    const key = `${split}/${name}`;
    const expected = expectedAll[split][name]!.cumulative;
    const result = analysisOf(split, name).cumulative;
    expect(result.order).toEqual(expected.order);
    expect(worstDifference(key, result.ap, expected.ap, CUMULATIVE_ORDER)).toBeLessThanOrEqual(TOLERANCE);
    expect(worstDifference(key, result.recall, expected.recall, CUMULATIVE_ORDER)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('AP values are bit-identical wherever they are not on the knife edge (numpy pairwise means emulated)', () => {
    let compared = 0;
    const mismatches: string[] = [];
    for (const [split, name] of sets) {
      const key = `${split}/${name}`;
      const expected = expectedAll[split][name]!;
      const result = analysisOf(split, name);
      const tables: [Readonly<Record<string, Readonly<Record<string, readonly number[]>>>>, Record<string, ByArea>][] = [
        [result.apImpact.ap, expected.ap_impact.ap],
        [result.cumulative.ap, expected.cumulative.ap],
      ];
      for (const [actual, wanted] of tables) {
        for (const row of Object.keys(wanted)) {
          for (const area of AREAS) {
            actual[row]![area]!.forEach((value, t) => {
              if (onKnifeEdge(key, area, t)) return;
              compared++;
              if (!Object.is(value, wanted[row]![area]![t])) mismatches.push(`${key} ${row}.${area}[${t}]`);
            });
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(34 * 2 * 8 * 3 * 9);
    expect(mismatches).toEqual([]);
  });

  it('the synth_jitter_known exception: one OKS is 0.65 here and 0.6499999999999999 in numpy, one ulp apart', () => {
    // Result 111 (index 110) of synth_jitter_known and person 421653 (image 489520): its keypoints were moved
    // to similarities .95 / .7 / .3 in turn, whose mean is 0.65 in real arithmetic. numpy 2.4.6 (glibc exp) gives
    // OKS 0.6499999999999999, so the tool does not match the pair at 0.65; Math.exp differs from numpy's exp in the
    // last bit of 3 of the 12 terms (e.g. exp(-0.3566749439387322): numpy 0.7000000000000001, V8 0.7000000000000002)
    // and the sum lands on 0.65 exactly, so it is matched here. Every other entry of the set agrees (tests above).
    const gt = loadGroundTruth('dev');
    const results = resultsOf('dev', 'synth_jitter_known');
    const evaluation = evaluateKeypoints(gt, results);
    const numpyOks = 0.6499999999999999;
    let found = false;
    for (const image of evaluation.perImage) {
      const d = Array.from(image.detectionIndices).indexOf(110);
      if (d < 0) continue;
      const g = Array.from(image.gtIds).indexOf(421653);
      const oks = image.oks[d * image.gtIds.length + g]!;
      expect(oks).toBe(0.65);
      expect(oks - numpyOks).toBeLessThanOrEqual(Number.EPSILON * 0.65);
      found = true;
    }
    expect(found).toBe(true);
    // And the effect is that one match: recall at 0.65 is higher by exactly one person of 121 ('all') and of 80 ('medium').
    const expected = expectedAll.dev['synth_jitter_known']!.ap_impact.recall['baseline']!;
    const actual = analysisOf('dev', 'synth_jitter_known').apImpact.recall['baseline'];
    expect(actual['all']![3]! - expected['all']![3]!).toBeCloseTo(1 / 121, 14);
    expect(actual['medium']![3]! - expected['medium']![3]!).toBeCloseTo(1 / 80, 14);
    expect(actual['large']![3]).toBe(expected['large']![3]);
  });

  it('fixtures reuse the coco-eval prediction sets verbatim', () => {
    // Every non-synthetic analysed set is a coco-eval set of the same split (same results list).
    for (const [split, name] of sets) {
      if (synthetic[split]?.[name]) continue;
      expect(loadRawResults(split)[name], `${split}/${name}`).toBeDefined();
    }
  });
});
