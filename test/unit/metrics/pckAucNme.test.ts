/** PCK AUC and NME against values worked out by hand. */
import { describe, expect, it } from 'vitest';
import { computeNme, pckAuc, type PckPerson } from '../../../src/core/metrics/pck';

describe('pckAuc', () => {
  it('is 1 for a model right at every α, ½ for a curve rising linearly from 0 to 1, and the trapezoid area otherwise', () => {
    expect(pckAuc([0, 0.25, 0.5], [1, 1, 1])).toBe(1);
    expect(pckAuc([0, 0.25, 0.5], [0, 0.5, 1])).toBeCloseTo(0.5, 12);
    // (0.2 + 0.6)/2 × 0.1 + (0.6 + 0.8)/2 × 0.1 = 0.04 + 0.07 = 0.11, over a span of 0.2.
    expect(pckAuc([0, 0.1, 0.2], [0.2, 0.6, 0.8])).toBeCloseTo(0.55, 12);
  });

  it('is null without a full curve', () => {
    expect(pckAuc([0, 0.1], [0.5, null])).toBeNull();
    expect(pckAuc([0], [1])).toBeNull();
  });
});

describe('computeNme', () => {
  const names = ['a', 'b', 'c'];
  // Reference pair a–b 10 px apart; c labelled.
  const gt = [0, 0, 2, 10, 0, 2, 5, 5, 2];

  it('divides the mean keypoint error by the reference distance, then averages persons', () => {
    const exact: PckPerson = { gtKeypoints: gt, predicted: [[0, 0], [10, 0], [5, 5]] };
    // Errors 3, 0, 0 px → mean 1 px → 1/10.
    const off: PckPerson = { gtKeypoints: gt, predicted: [[3, 0], [10, 0], [5, 5]] };
    const result = computeNme([exact, off], names, ['a', 'b']);
    expect(result.nme).toBeCloseTo((0 + 0.1) / 2, 12);
    expect(result.personsEvaluated).toBe(2);
  });

  it('counts undetected persons apart and skips those without the reference pair; refuses unknown names', () => {
    const missed: PckPerson = { gtKeypoints: gt, predicted: null };
    const noPair: PckPerson = { gtKeypoints: [0, 0, 0, 10, 0, 2, 5, 5, 2], predicted: [[0, 0], [10, 0], [5, 5]] };
    const result = computeNme([missed, noPair], names, ['a', 'b']);
    expect(result).toEqual({ nme: null, personsEvaluated: 0, personsMissed: 1, personsSkipped: 1 });
    expect(() => computeNme([], names, ['a', 'z'])).toThrow(RangeError);
  });
});
