import { describe, expect, it } from 'vitest';
import { evaluateKeypoints } from '../../../src/core/metrics/cocoEval';
import { COCO17 } from '../../../src/core/layouts/builtinLayouts';
import * as pck from '../../../src/core/metrics/pck';
import { DEFAULT_PCK_ALPHAS, pckPersonsFromEvaluation, type PckNormalizer, type PckPerson } from '../../../src/core/metrics/pck';
import { loadGroundTruth, loadResults } from './cocoFixtures';

// The fixtures are COCO-17 people: the PCK functions are given COCO's keypoint names.
const NAMES = COCO17.keypointNames;
const computePck = (persons: readonly PckPerson[], options: { alpha: number; normalizer: PckNormalizer }) => pck.computePck(persons, { ...options, keypointNames: NAMES });
const pckCurve = (persons: readonly PckPerson[], normalizer: PckNormalizer, alphas: readonly number[] = DEFAULT_PCK_ALPHAS) => pck.pckCurve(persons, normalizer, alphas, NAMES);
const pckPersonSizePx = (keypoints: readonly number[], bbox: readonly number[] | undefined, normalizer: PckNormalizer) => pck.pckPersonSizePx(keypoints, bbox, normalizer, NAMES);

const LEFT_SHOULDER = 5;
const RIGHT_SHOULDER = 6;
const LEFT_HIP = 11;
const RIGHT_HIP = 12;

/** 17 labelled points at (10k, 10k) except the torso points, which form a 60-80-100 triangle. */
function gtKeypoints(unlabelled: number[] = []): number[] {
  const out: number[] = [];
  for (let k = 0; k < 17; k++) out.push(10 * k, 10 * k, unlabelled.includes(k) ? 0 : 2);
  const place = (k: number, x: number, y: number): void => {
    out[k * 3] = x;
    out[k * 3 + 1] = y;
  };
  place(LEFT_SHOULDER, 100, 100);
  place(RIGHT_HIP, 160, 180); // left shoulder – right hip: 100 px
  place(RIGHT_SHOULDER, 140, 100);
  place(LEFT_HIP, 140, 150); // right shoulder – left hip: 50 px
  for (const k of unlabelled) {
    out[k * 3] = 0;
    out[k * 3 + 1] = 0;
  }
  return out;
}

function exactPrediction(gt: number[]): [number, number][] {
  return Array.from({ length: 17 }, (_, k): [number, number] => [gt[k * 3]!, gt[k * 3 + 1]!]);
}

describe('pckPersonSizePx', () => {
  const gt = gtKeypoints();

  it('bbox: the longer side of the ground-truth box', () => {
    expect(pckPersonSizePx(gt, [0, 0, 100, 200], 'bbox')).toBe(200);
    expect(pckPersonSizePx(gt, [0, 0, 300, 200], 'bbox')).toBe(300);
    expect(pckPersonSizePx(gt, [0, 0, 0, 0], 'bbox')).toBeNull();
    expect(pckPersonSizePx(gt, undefined, 'bbox')).toBeNull();
  });

  it('torso: left shoulder – right hip, else right shoulder – left hip, else undefined', () => {
    expect(pckPersonSizePx(gt, undefined, 'torso')).toBe(100);
    expect(pckPersonSizePx(gtKeypoints([LEFT_SHOULDER]), undefined, 'torso')).toBe(50);
    expect(pckPersonSizePx(gtKeypoints([RIGHT_HIP, LEFT_HIP]), undefined, 'torso')).toBeNull();
  });
});

describe('computePck', () => {
  const gt = gtKeypoints();
  const predicted = exactPrediction(gt);
  predicted[0] = [gt[0]! + 6, gt[1]! + 8]; // 10 px off: 0.05 of a 200 px box, 0.1 of the 100 px torso
  predicted[1] = [gt[3]! + 30, gt[4]!]; // 30 px off: 0.15 box, 0.3 torso
  const person: PckPerson = { gtKeypoints: gt, gtBbox: [0, 0, 100, 200], predicted };

  it('counts a keypoint as correct when its error is at most alpha × size (bbox)', () => {
    expect(computePck([person], { alpha: 0.1, normalizer: 'bbox' }).pck).toBe(16 / 17);
    expect(computePck([person], { alpha: 0.05, normalizer: 'bbox' }).pck).toBe(16 / 17); // boundary counts
    expect(computePck([person], { alpha: 0.15, normalizer: 'bbox' }).pck).toBe(1);
    expect(computePck([person], { alpha: 0, normalizer: 'bbox' }).pck).toBe(15 / 17);
  });

  it('uses the torso when asked', () => {
    const result = computePck([person], { alpha: 0.2, normalizer: 'torso' });
    expect(result.pck).toBe(16 / 17);
    expect(result.perKeypoint[0]).toMatchObject({ name: 'nose', labelled: 1, correct: 1, detectionRate: 1 });
    expect(result.perKeypoint[1]).toMatchObject({ name: 'left_eye', labelled: 1, correct: 0, detectionRate: 0 });
    expect(result.perKeypoint[0]!.meanNormalizedError).toBeCloseTo(0.1, 15);
    expect(result.perKeypoint[1]!.meanNormalizedError).toBeCloseTo(0.3, 15);
    expect(result.meanNormalizedError).toBeCloseTo(0.4 / 17, 15);
  });

  it('skips and counts persons without a normaliser or without labels; a missed person scores 0', () => {
    const noTorso: PckPerson = {
      gtKeypoints: gtKeypoints([LEFT_SHOULDER, RIGHT_SHOULDER]),
      predicted: exactPrediction(gt),
    };
    const noLabels: PckPerson = { gtKeypoints: new Array<number>(51).fill(0), gtBbox: [0, 0, 10, 10], predicted: null };
    const missed: PckPerson = { gtKeypoints: gtKeypoints([3, 4]), gtBbox: [0, 0, 100, 200], predicted: null };
    const result = computePck([person, noTorso, noLabels, missed], { alpha: 0.2, normalizer: 'torso' });
    expect(result.personsEvaluated).toBe(2);
    expect(result.personsSkippedNoNormalizer).toBe(1);
    expect(result.personsSkippedNoLabels).toBe(1);
    expect(result.labelled).toBe(17 + 15);
    expect(result.correct).toBe(16);
    expect(result.pck).toBe(16 / 32);
    expect(result.perKeypoint[3]).toMatchObject({ labelled: 1, missing: 0 });
    expect(result.perKeypoint[0]).toMatchObject({ labelled: 2, correct: 1, missing: 1, detectionRate: 0.5 });
    // The missed person's keypoints are left out of the mean error.
    expect(result.perKeypoint[0]!.meanNormalizedError).toBeCloseTo(0.1, 15);
  });

  it('treats a missing or non-finite predicted point as incorrect', () => {
    const partial = exactPrediction(gt) as ([number, number] | null)[];
    partial[2] = null;
    partial[4] = [Number.NaN, 3];
    const result = computePck([{ gtKeypoints: gt, gtBbox: [0, 0, 100, 200], predicted: partial }], { alpha: 0.5, normalizer: 'bbox' });
    expect(result.pck).toBe(15 / 17);
    expect(result.perKeypoint[2]).toMatchObject({ missing: 1, detectionRate: 0, meanNormalizedError: null });
  });

  it('returns null figures when nothing is labelled and rejects a negative alpha', () => {
    const result = computePck([], { alpha: 0.1, normalizer: 'bbox' });
    expect(result.pck).toBeNull();
    expect(result.meanNormalizedError).toBeNull();
    expect(result.perKeypoint.every((k) => k.detectionRate === null)).toBe(true);
    expect(() => computePck([], { alpha: -0.1, normalizer: 'bbox' })).toThrow(RangeError);
  });

  it('pckCurve agrees with computePck at every alpha and never decreases', () => {
    const curve = pckCurve([person], 'bbox');
    expect(curve.alphas).toEqual(DEFAULT_PCK_ALPHAS);
    expect(curve.alphas).toHaveLength(51);
    expect(curve.alphas[50]).toBe(0.5);
    curve.alphas.forEach((alpha, i) => {
      expect(curve.pck[i]).toBe(computePck([person], { alpha, normalizer: 'bbox' }).pck);
      if (i > 0) expect(curve.pck[i]!).toBeGreaterThanOrEqual(curve.pck[i - 1]!);
    });
    expect(curve.perKeypoint[1]!.slice(0, 16)).toEqual(new Array(15).fill(0).concat([1]));
    expect(() => pckCurve([person], 'bbox', [0.1, Number.NaN])).toThrow(RangeError);
  });
});

describe('pckPersonsFromEvaluation', () => {
  it('pairs every valid ground-truth person with its matched detection (dev/noise_5px)', () => {
    const gt = loadGroundTruth('dev');
    const results = loadResults('dev', 'noise_5px');
    const persons = pckPersonsFromEvaluation(gt, results, evaluateKeypoints(gt, results));
    expect(persons).toHaveLength(121);
    const matched = persons.filter((p) => p.predicted !== null).length;
    const pck = computePck(persons, { alpha: 0.5, normalizer: 'bbox' });
    expect(pck.personsEvaluated).toBe(121);
    // Matched at OKS 0.5: AR50 of this set is 0.7603 = 92/121. The 29 unmatched persons score 0.
    expect(matched).toBe(92);
    expect(pck.pck).toBeGreaterThan(0.75);
    expect(pck.pck).toBeLessThan(0.85);
  });
});
