/**
 * The exact COCO keypoint evaluation against pycocotools' own outputs on all 31 vector sets
 * (shared/coco-eval-vectors, reduced into test/fixtures/coco-eval).
 */
import { describe, expect, it } from 'vitest';
import {
  COCO_OKS_THRESHOLDS,
  COCO_RECALL_THRESHOLDS,
  KEYPOINT_STATS_NAMES,
  evaluateKeypoints,
  type KeypointEvalResult,
} from '../../../src/core/metrics/cocoEval';
import { allSets, loadDetail, loadExpected, loadGroundTruth, loadResults, type Split } from './cocoFixtures';

const TOLERANCE = 1e-12;
const sets = allSets();

const evaluations = new Map<string, KeypointEvalResult>();
function evaluationOf(split: Split, name: string): KeypointEvalResult {
  const key = `${split}/${name}`;
  let result = evaluations.get(key);
  if (!result) {
    result = evaluateKeypoints(loadGroundTruth(split), loadResults(split, name));
    evaluations.set(key, result);
  }
  return result;
}

describe('COCO keypoint evaluation vectors', () => {
  it('covers all 31 vector sets', () => {
    expect(sets).toHaveLength(31);
  });

  it.each(sets)('%s/%s: the 10 stats equal pycocotools within 1e-12', (split, name) => {
    const expected = loadExpected()[split][name]!;
    const result = evaluationOf(split, name);
    expect(result.statsNames).toEqual(KEYPOINT_STATS_NAMES);
    expect(result.stats).toHaveLength(10);
    result.stats.forEach((value, i) => {
      expect(Math.abs(value - expected.stats[i]!), `${KEYPOINT_STATS_NAMES[i]}: ${value} vs ${expected.stats[i]}`).toBeLessThanOrEqual(TOLERANCE);
    });
    expect(result.summaryLines).toEqual(expected.summaryLines);
  });

  it('stats are bit-identical for every set (numpy pairwise summation emulated)', () => {
    const mismatches: string[] = [];
    for (const [split, name] of sets) {
      const expected = loadExpected()[split][name]!;
      evaluationOf(split, name).stats.forEach((value, i) => {
        if (!Object.is(value, expected.stats[i])) mismatches.push(`${split}/${name} ${KEYPOINT_STATS_NAMES[i]}`);
      });
    }
    expect(mismatches).toEqual([]);
  });

  it('uses numpy linspace thresholds, bit for bit', () => {
    const detail = loadDetail('dev')['perfect']!;
    expect(Array.from(COCO_OKS_THRESHOLDS)).toEqual(detail.iouThrs);
    expect(Array.from(COCO_RECALL_THRESHOLDS)).toEqual(detail.recThrs);
    expect(COCO_OKS_THRESHOLDS[8]).toBe(0.8999999999999999);
    expect(COCO_RECALL_THRESHOLDS[70]).toBe(0.7000000000000001);
  });

  it.each(sets)('%s/%s: loadRes areas, precision[T][R][A] and recall[T][A] match', (split, name) => {
    const detail = loadDetail(split)[name]!;
    const result = evaluationOf(split, name);
    const [T, R, K, A] = result.precisionShape;
    expect([T, R, K, A]).toEqual([10, 101, 1, 3]);
    expect(detail.areaRngLbl).toEqual(result.params.areaRanges.map((range) => range.label));
    let worst = 0;
    for (let t = 0; t < T; t++) {
      for (let r = 0; r < R; r++) {
        for (let a = 0; a < A; a++) {
          worst = Math.max(worst, Math.abs(result.precision[(t * R + r) * A + a]! - detail.precision[t]![r]![a]!));
        }
      }
      for (let a = 0; a < A; a++) worst = Math.max(worst, Math.abs(result.recall[t * A + a]! - detail.recall[t]![a]!));
    }
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    for (const [id, area] of Object.entries(detail.dtAreaById)) {
      expect(result.detectionAreasPx2[Number(id) - 1], `detection ${id}`).toBe(area);
    }
    expect(result.areasFromBboxes).toBe(name === 'with_bbox_field');
  });

  it.each(sets)('%s/%s: per-image OKS matrices (1e-12) and matches (exact) match', (split, name) => {
    const detail = loadDetail(split)[name]!;
    const result = evaluationOf(split, name);
    const imagesWithEntries = Object.keys(detail.evalImgs['all']!).length;
    expect(result.perImage).toHaveLength(imagesWithEntries);
    let worstOks = 0;
    for (const image of result.perImage) {
      const key = `${image.imageId},${image.categoryId}`;
      const ious = detail.ious[key]!;
      const G = image.gtIds.length;
      const D = image.detectionIds.length;
      if (ious.length > 0) {
        expect(Array.from(image.detectionIds), key).toEqual(detail.rowDtIds[key]);
        expect(Array.from(image.gtIds), key).toEqual(detail.colGtIds[key]);
        for (let d = 0; d < D; d++) {
          for (let g = 0; g < G; g++) worstOks = Math.max(worstOks, Math.abs(image.oks[d * G + g]! - ious[d]![g]!));
        }
      } else {
        expect(D === 0 || G === 0, key).toBe(true);
      }
      image.areas.forEach((area, a) => {
        const label = detail.areaRngLbl[a]!;
        const expected = detail.evalImgs[label]![String(image.imageId)]!;
        const where = `${key} ${label}`;
        expect(area.areaLabel).toBe(label);
        expect(Array.from(image.detectionIds), where).toEqual(expected.dtIds);
        expect(Array.from(area.gtIds), where).toEqual(expected.gtIds);
        expect(Array.from(area.gtIgnore), where).toEqual(expected.gtIgnore);
        expect(Array.from(area.dtMatches), where).toEqual(expected.dtMatches.flat());
        expect(Array.from(area.gtMatches), where).toEqual(expected.gtMatches.flat());
        expect(Array.from(area.dtIgnore), where).toEqual(expected.dtIgnore.flat());
      });
    }
    expect(worstOks).toBeLessThanOrEqual(TOLERANCE);
  });

  it('per-person OKS is the matched detection at OKS 0.5 (dev/noise_5px)', () => {
    const result = evaluationOf('dev', 'noise_5px');
    const detail = loadDetail('dev')['noise_5px']!;
    let persons = 0;
    for (const image of result.perImage) {
      const all = detail.evalImgs['all']![String(image.imageId)]!;
      const G = image.gtIds.length;
      for (const person of image.persons) {
        persons++;
        const j = all.gtIds.indexOf(person.annotationId);
        expect(all.gtIgnore[j]).toBe(0);
        const matchedDtId = all.gtMatches[0]![j]!;
        expect(person.detectionIndex).toBe(matchedDtId - 1);
        const column = Array.from(image.gtIds).indexOf(person.annotationId);
        const row = Array.from(image.detectionIds).indexOf(matchedDtId);
        expect(person.oks).toBe(matchedDtId > 0 ? image.oks[row * G + column] : 0);
        expect(person.maxOks).toBeGreaterThanOrEqual(person.oks);
      }
    }
    // noise_5px detects each of the 121 valid persons once.
    expect(persons).toBe(121);
  });
});
