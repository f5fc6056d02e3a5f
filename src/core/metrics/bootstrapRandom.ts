/**
 * The seeded randomness of the bootstrap: a small 32-bit generator and the image resampling built on it.
 *
 * The generator is xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018/2021):
 * 128 bits of state in four 32-bit words, period 2^128 − 1, passes BigCrush; every step is 32-bit integer arithmetic
 * (`Math.imul`, shifts), so it gives the same sequence in every JavaScript engine, in the browser, in a worker and in
 * Node. The bootstrap needs reproducibility ("seed 1 gives these intervals") and no visible correlation between the
 * draws, not cryptographic strength.
 *
 * Seeding: the four state words are MurmurHash3's 32-bit finaliser (a bijection on 32-bit integers) of
 * `seed + i × 0x9E3779B9`, i = 0..3. Distinct inputs give distinct words, so at most one word is 0 and the state is
 * never all zero (the one state xoshiro must avoid); nearby seeds (1, 2, 3) give unrelated states.
 */

/** The largest image count `nextBelow` serves exactly: `x × n` must stay below 2^53 for x < 2^32. */
export const MAX_RESAMPLE_POPULATION = 1 << 21;

const TWO_POW_32 = 4294967296;

/** MurmurHash3 fmix32: spreads every input bit over the whole word, bijective. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function rotl(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

/** xoshiro128** with a 32-bit seed. Plain state (four numbers), so a copy of `state` resumes the same sequence. */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed any number; it is reduced to a 32-bit unsigned integer (`seed >>> 0`) */
  constructor(seed: number) {
    const base = seed >>> 0;
    this.s0 = mix32(base);
    this.s1 = mix32(base + 0x9e3779b9);
    this.s2 = mix32(base + 2 * 0x9e3779b9);
    this.s3 = mix32(base + 3 * 0x9e3779b9);
  }

  /** The four state words, e.g. for checking the seeding against a reference implementation. */
  get state(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Sets the four state words directly (not all zero). */
  setState(words: readonly [number, number, number, number]): void {
    if (words.every((w) => w >>> 0 === 0)) throw new RangeError('xoshiro128** state must not be all zero');
    [this.s0, this.s1, this.s2, this.s3] = words.map((w) => w >>> 0) as [number, number, number, number];
  }

  /** Next output, a uniformly distributed integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /**
   * A uniformly distributed integer in [0, n), without modulo bias: Lemire's multiply-and-reject method
   * ("Fast random integer generation in an interval", 2019). `x × n` is exact in a double for n ≤ 2^21, so the
   * arithmetic needs no 64-bit integers.
   */
  nextBelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > MAX_RESAMPLE_POPULATION) {
      throw new RangeError(`nextBelow needs a whole number in [1, ${MAX_RESAMPLE_POPULATION}], got ${n}`);
    }
    let product = this.nextUint32() * n;
    let low = product % TWO_POW_32;
    if (low < n) {
      // Outputs whose low word falls below 2^32 mod n would make some results more likely: draw again.
      const rejectBelow = (TWO_POW_32 - n) % n;
      while (low < rejectBelow) {
        product = this.nextUint32() * n;
        low = product % TWO_POW_32;
      }
    }
    return Math.floor(product / TWO_POW_32);
  }
}

/**
 * One bootstrap resample of n images: n draws with replacement, each image equally likely. Writes into `counts`
 * (length n) how often each image was drawn; the counts sum to n.
 */
export function drawResampleCounts(random: SeededRandom, counts: Int32Array): void {
  const n = counts.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[random.nextBelow(n)]!++;
}
