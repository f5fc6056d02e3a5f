/**
 * The few numpy/Python numeric behaviours the COCO evaluation depends on, re-implemented so that results
 * are bit-identical to pycocotools rather than merely close (README of coco-eval-vectors, points 9 and 11).
 */

/** numpy's PW_BLOCKSIZE: blocks up to this length are summed with 8 interleaved accumulators. */
const PAIRWISE_BLOCK = 128;

/**
 * Sum of `values[start .. start+count)` in exactly numpy's float64 `add.reduce` order (pairwise summation:
 * below 8 elements a plain loop, up to 128 elements 8 interleaved partial sums combined as a tree, above that
 * a split at a multiple of 8 near the middle). `np.sum` / `np.mean` of a contiguous 1-D array use this order,
 * so a plain left-to-right loop can differ in the last bits (README point 11). numpy sums a contiguous 1-D float64
 * array in one pairwise pass whatever its length (checked against numpy 2.4 with 30,000 values).
 */
export function numpyPairwiseSum(values: ArrayLike<number>, start = 0, count = values.length - start): number {
  // The reduction starts from add's identity +0.0, so a sum of -0.0 values (or of nothing) is +0.0, as in numpy.
  return 0 + pairwiseBlock(values, start, count);
}

/** numpy's `pairwise_sum` kernel itself (starts from -0.0 in the short case, as the C code does). */
function pairwiseBlock(values: ArrayLike<number>, start: number, count: number): number {
  if (count < 8) {
    let sum = -0;
    for (let i = 0; i < count; i++) sum += values[start + i]!;
    return sum;
  }
  if (count <= PAIRWISE_BLOCK) {
    let r0 = values[start]!;
    let r1 = values[start + 1]!;
    let r2 = values[start + 2]!;
    let r3 = values[start + 3]!;
    let r4 = values[start + 4]!;
    let r5 = values[start + 5]!;
    let r6 = values[start + 6]!;
    let r7 = values[start + 7]!;
    const unrolledEnd = count - (count % 8);
    let i = 8;
    for (; i < unrolledEnd; i += 8) {
      const p = start + i;
      r0 += values[p]!;
      r1 += values[p + 1]!;
      r2 += values[p + 2]!;
      r3 += values[p + 3]!;
      r4 += values[p + 4]!;
      r5 += values[p + 5]!;
      r6 += values[p + 6]!;
      r7 += values[p + 7]!;
    }
    // Same association as numpy: ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)).
    let sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < count; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseBlock(values, start, half) + pairwiseBlock(values, start + half, count - half);
}

/** `np.mean` of a 1-D float64 array: pairwise sum divided by the count (NaN for an empty array, as numpy). */
export function numpyMean(values: ArrayLike<number>): number {
  return numpyPairwiseSum(values) / values.length;
}

/**
 * `np.linspace(start, stop, num)` (endpoint included) with numpy's arithmetic: `i * step + start`, then the last
 * entry set to `stop` exactly. So `numpyLinspace(0, 1, 101)[35]` is 0.35000000000000003, not 0.35 (README point 9).
 */
export function numpyLinspace(start: number, stop: number, num: number): Float64Array {
  if (!Number.isInteger(num) || num < 0) throw new RangeError(`linspace count must be a whole number ≥ 0, got ${num}`);
  const out = new Float64Array(num);
  if (num === 0) return out;
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  for (let i = 0; i < num; i++) out[i] = step === 0 ? (i / div) * delta + start : i * step + start;
  out[num - 1] = stop;
  return out;
}

/**
 * Python's `'{:0.3f}'.format(x)` (pycocotools' summary lines). Same as `toFixed(3)` except on exact binary ties
 * (x = odd/16, e.g. 0.0625), where Python rounds half to even and JavaScript rounds half up.
 */
export function formatFixed3LikePython(x: number): string {
  const sixteenths = x * 16; // exact: scaling by a power of two
  if (Number.isInteger(sixteenths) && sixteenths % 2 !== 0) {
    const thousandths = x * 1000; // exact for odd/16: a whole number plus exactly one half
    const lower = Math.floor(thousandths);
    const even = lower % 2 === 0 ? lower : lower + 1;
    return (even / 1000).toFixed(3);
  }
  return x.toFixed(3);
}
