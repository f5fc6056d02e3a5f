/**
 * Percentile bootstrap intervals: the interval is read off the sorted resampled values, with no normal
 * approximation, so skewed statistics (an AP near 1, a median latency) get asymmetric intervals.
 */

/**
 * The q-quantile (q in [0, 1]) of ascending `sorted` values, by numpy's default rule (`np.percentile(x, 100 q)`,
 * method 'linear', Hyndman & Fan type 7): the virtual index h = (n − 1) q, then linear interpolation between
 * `sorted[floor(h)]` and the next value. The interpolation is written as numpy's `_lerp` writes it
 * (`a + (b − a) t`, or `b − (b − a)(1 − t)` for t ≥ 0.5), so the last bits agree with numpy too.
 * NaN for an empty list.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const below = Math.floor(h);
  const above = Math.min(below + 1, n - 1);
  const t = h - below;
  const a = sorted[below]!;
  const b = sorted[above]!;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** A bootstrap interval of one statistic. */
export interface BootstrapInterval {
  /** The statistic on the full set (every image once); null where it is undefined (e.g. AP without a labelled person). */
  readonly point: number | null;
  /** Lower and upper percentile of the resampled values; null when no resample defined the statistic. */
  readonly lower: number | null;
  readonly upper: number | null;
  /**
   * Resamples where the statistic was defined (a resample can draw only images without labelled people, or only
   * untimed ones); the percentiles are taken over these.
   */
  readonly definedResamples: number;
}

/**
 * Percentile interval at `confidenceLevel` (e.g. 0.95: the 2.5th and 97.5th percentiles, numpy's linear rule) of
 * the defined (non-NaN) entries of `samples`.
 */
export function percentileInterval(samples: ArrayLike<number>, point: number | null, confidenceLevel: number): BootstrapInterval {
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
    throw new RangeError(`confidence level must be in (0, 1), got ${confidenceLevel}`);
  }
  const defined: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    if (!Number.isNaN(v)) defined.push(v);
  }
  const sorted = Float64Array.from(defined).sort();
  const tail = (1 - confidenceLevel) / 2;
  return {
    point: point !== null && Number.isFinite(point) ? point : null,
    lower: sorted.length > 0 ? percentileOfSorted(sorted, tail) : null,
    upper: sorted.length > 0 ? percentileOfSorted(sorted, 1 - tail) : null,
    definedResamples: sorted.length,
  };
}
