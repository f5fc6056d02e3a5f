import { describe, expect, it } from 'vitest';
import {
  formatFixed3LikePython,
  numpyLinspace,
  numpyMean,
  numpyPairwiseSum,
} from '../../../src/core/metrics/numpyCompat';

// Inputs built with divisions only, so Python and JavaScript produce the same doubles.
const values = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) / 997 + 1 / (i + 3));

describe('numpyPairwiseSum', () => {
  // Expected values printed by numpy 2.4 (np.sum / np.mean of the same array prefix).
  it.each([
    [5, 4.2924559392463095, 0.8584911878492619],
    [8, 6.175206970116699, 0.7719008712645874],
    [17, 11.058772756441577, 0.6505160444965634],
    [100, 52.90467520764226, 0.5290467520764226],
    [128, 67.77206174949968, 0.5294692324179663],
    [129, 68.41359704240128, 0.5303379615690021],
    [300, 155.39110281396262, 0.5179703427132087],
    [1000, 506.99047689262267, 0.5069904768926227],
  ])('sum and mean of the first %i values equal numpy bit for bit', (n, sum, mean) => {
    expect(numpyPairwiseSum(values, 0, n)).toBe(sum);
    expect(numpyMean(values.slice(0, n))).toBe(mean);
  });

  it('differs from a left-to-right loop where numpy does', () => {
    let sequential = 0;
    for (const v of values.slice(0, 8)) sequential += v;
    expect(sequential).toBe(6.175206970116697);
    expect(numpyPairwiseSum(values, 0, 8)).not.toBe(sequential);
  });

  it('sums a sub-range', () => {
    expect(numpyPairwiseSum([1, 2, 3, 4], 1, 2)).toBe(5);
    expect(numpyPairwiseSum([])).toBe(0);
  });
});

describe('numpyLinspace', () => {
  it('reproduces np.linspace(0, 1, 101) including its non-decimal entries', () => {
    const r = numpyLinspace(0, 1, 101);
    expect([35, 41, 47, 57, 69, 70, 82, 83, 94, 95].map((i) => r[i])).toEqual([
      0.35000000000000003, 0.41000000000000003, 0.47000000000000003, 0.5700000000000001, 0.6900000000000001,
      0.7000000000000001, 0.8200000000000001, 0.8300000000000001, 0.9400000000000001, 0.9500000000000001,
    ]);
    expect(r[100]).toBe(1);
  });

  it('reproduces np.linspace(.5, .95, 10)', () => {
    expect(Array.from(numpyLinspace(0.5, 0.95, 10))).toEqual([
      0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95,
    ]);
  });

  it('handles 0 and 1 points and rejects bad counts', () => {
    expect(numpyLinspace(2, 3, 0)).toHaveLength(0);
    expect(Array.from(numpyLinspace(2, 3, 1))).toEqual([2]);
    expect(() => numpyLinspace(0, 1, 2.5)).toThrow(RangeError);
  });
});

describe('formatFixed3LikePython', () => {
  it("matches Python's '{:0.3f}' including half-to-even on exact ties", () => {
    expect(formatFixed3LikePython(0.0625)).toBe('0.062'); // JS toFixed gives 0.063
    expect(formatFixed3LikePython(0.1875)).toBe('0.188');
    expect(formatFixed3LikePython(-0.0625)).toBe('-0.062');
    expect(formatFixed3LikePython(0.33150207463229514)).toBe('0.332');
    expect(formatFixed3LikePython(-1)).toBe('-1.000');
    expect(formatFixed3LikePython(1)).toBe('1.000');
  });
});
