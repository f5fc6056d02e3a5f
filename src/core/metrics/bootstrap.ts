/**
 * 95% bootstrap intervals of a column's AP, AP50, AP75, AR, PCK and median latency per image, and of the paired
 * difference between two columns, by resampling images (Efron's nonparametric bootstrap, percentile intervals).
 *
 * The unit resampled is the image, not the person or the detection: persons and detections of one image are not
 * independent (one crowded image shifts every one of them), and the set was collected image by image. Each resample
 * draws n images with replacement, n being the number of evaluated images; all columns see the same draws in the
 * same resample, so a difference between two columns is measured on identical images (a paired bootstrap), which is
 * much tighter than comparing two separate intervals.
 *
 * Per resample nothing is re-matched: `bootstrapTable.ts` keeps each image's exact per-image result, and
 * {@link ResampleEvaluator} re-runs only pycocotools' accumulate and summarize with multiplicities, so the resample
 * that draws every image once gives the exact pycocotools numbers, bit for bit.
 *
 * Everything in and out is plain data (typed arrays, numbers, strings), so a Web Worker can run it and post the
 * report; progress comes through a callback between cooperative chunks.
 */

import { numpyPairwiseSum } from './numpyCompat';
import { FLOAT64_EPS } from './oks';
import { percentileInterval, type BootstrapInterval } from './bootstrapPercentile';
import { SeededRandom, drawResampleCounts, MAX_RESAMPLE_POPULATION } from './bootstrapRandom';
import { STATUS_FALSE_POSITIVE, STATUS_TRUE_POSITIVE, type BootstrapColumnTable } from './bootstrapTable';

// Module-local copies: vitest and tsx turn imported bindings into getters, which the hot loops would call millions of times.
const EPS = FLOAT64_EPS;
const pairwiseSum = numpyPairwiseSum;
const TP = STATUS_TRUE_POSITIVE;
const FP = STATUS_FALSE_POSITIVE;

/** The statistics bootstrapped, in the order of every per-resample array. */
export const BOOTSTRAP_METRICS = ['AP', 'AP50', 'AP75', 'AR', 'PCK', 'medianImageLatencyMs'] as const;
export type BootstrapMetricName = (typeof BOOTSTRAP_METRICS)[number];

/** Which direction is better, for wording "A is better than B". */
export const BOOTSTRAP_METRIC_HIGHER_IS_BETTER: Readonly<Record<BootstrapMetricName, boolean>> = {
  AP: true,
  AP50: true,
  AP75: true,
  AR: true,
  PCK: true,
  medianImageLatencyMs: false,
};

export const DEFAULT_BOOTSTRAP_RESAMPLES = 1000;
export const DEFAULT_BOOTSTRAP_SEED = 1;
export const DEFAULT_CONFIDENCE_LEVEL = 0.95;
/** Resamples between two progress reports / yields: ~10-50 ms of work for 7 columns × 40 images. */
export const DEFAULT_CHUNK_RESAMPLES = 50;

/**
 * The statistics of one column on one resample, in BOOTSTRAP_METRICS order; NaN where undefined on that resample
 * (AP/AR without a not-ignored person, PCK without a labelled keypoint, latency without a timed image).
 */
export type ResampleValues = Float64Array;

/**
 * Re-runs pycocotools' accumulate and the summarize means (area range 'all') on one column with per-image
 * multiplicities, plus PCK and the median latency; buffers are allocated once, so a resample allocates nothing.
 */
export class ResampleEvaluator {
  private readonly T: number;
  private readonly R: number;
  private readonly K: number;
  /** Per category: kept detections per image. */
  private readonly detectionsPerImage: Int32Array[];
  private precisionCurve: Float64Array;
  private readonly firstAtRecall: Int32Array;
  /** Sampled precision, [t][r][k] C order (summarize's flattening order). */
  private readonly sampledPrecision: Float64Array;
  /** [t][k]. */
  private readonly recallAtEnd: Float64Array;
  private readonly categoryDefined: Uint8Array;
  private readonly gather: Float64Array;
  private readonly thresholdIs50: Uint8Array;
  private readonly thresholdIs75: Uint8Array;
  /** Timed images sorted by latency (ties by position), and their latencies. */
  private readonly latencyOrder: Int32Array;
  private readonly latencySortedMs: Float64Array;

  constructor(private readonly table: BootstrapColumnTable) {
    const n = table.imageIds.length;
    this.T = table.oksThresholds.length;
    this.R = table.recallThresholds.length;
    this.K = table.categories.length;
    let maxPerImage = 0;
    this.detectionsPerImage = table.categories.map((category) => {
      const perImage = new Int32Array(n);
      for (let r = 0; r + 1 < category.runStart.length; r++) {
        perImage[category.runImage[r]!]! += category.runStart[r + 1]! - category.runStart[r]!;
      }
      for (const count of perImage) maxPerImage = Math.max(maxPerImage, count);
      return perImage;
    });
    // A resample holds at most n copies of the image with the most detections.
    this.precisionCurve = new Float64Array(Math.max(1, n * maxPerImage));
    this.firstAtRecall = new Int32Array(this.R);
    this.sampledPrecision = new Float64Array(this.T * this.R * this.K);
    this.recallAtEnd = new Float64Array(this.T * this.K);
    this.categoryDefined = new Uint8Array(this.K);
    this.gather = new Float64Array(this.T * this.R * this.K);
    // Threshold selection by exact equality, as summarize's `np.where(iouThr == p.iouThrs)`.
    this.thresholdIs50 = Uint8Array.from(table.oksThresholds, (t) => (t === 0.5 ? 1 : 0));
    this.thresholdIs75 = Uint8Array.from(table.oksThresholds, (t) => (t === 0.75 ? 1 : 0));
    const timed: number[] = [];
    for (let i = 0; i < n; i++) if (!Number.isNaN(table.imageLatencyMs[i]!)) timed.push(i);
    timed.sort((a, b) => table.imageLatencyMs[a]! - table.imageLatencyMs[b]! || a - b);
    this.latencyOrder = Int32Array.from(timed);
    this.latencySortedMs = Float64Array.from(timed, (i) => table.imageLatencyMs[i]!);
  }

  /**
   * The statistics on the resample where image i is drawn `counts[i]` times (counts aligned with the table's
   * `imageIds`); writes BOOTSTRAP_METRICS.length values into `out` at `offset`.
   */
  evaluate(counts: Int32Array, out: Float64Array = new Float64Array(BOOTSTRAP_METRICS.length), offset = 0): Float64Array {
    if (counts.length !== this.table.imageIds.length) {
      throw new RangeError(`counts has ${counts.length} entries for ${this.table.imageIds.length} images`);
    }
    this.accumulate(counts);
    out[offset] = this.meanPrecision(null);
    out[offset + 1] = this.meanPrecision(this.thresholdIs50);
    out[offset + 2] = this.meanPrecision(this.thresholdIs75);
    out[offset + 3] = this.meanRecall();
    out[offset + 4] = this.pck(counts);
    out[offset + 5] = this.medianLatency(counts);
    return out;
  }

  /** pycocotools accumulate for area range 'all', every category and threshold, detections repeated per count. */
  private accumulate(counts: Int32Array): void {
    const { T, R, K, firstAtRecall } = this;
    const recallThresholds = this.table.recallThresholds;
    for (let k = 0; k < K; k++) {
      const category = this.table.categories[k]!;
      const perImage = this.detectionsPerImage[k]!;
      let npigInt = 0;
      let N = 0;
      for (let i = 0; i < counts.length; i++) {
        const c = counts[i]!;
        if (c === 0) continue;
        npigInt += c * category.notIgnoredGtPerImage[i]!;
        N += c * perImage[i]!;
      }
      // README 10: no not-ignored ground truth → -1 in precision/recall, left out of the means.
      this.categoryDefined[k] = npigInt > 0 ? 1 : 0;
      if (npigInt === 0) continue;
      const npig = npigInt;
      // Resamples from the runner fit (counts sum to n); a caller's larger counts grow the buffer.
      if (N > this.precisionCurve.length) this.precisionCurve = new Float64Array(N);
      const pr = this.precisionCurve;
      const { runImage, runStart, status, detections } = category;
      const runs = runImage.length;
      for (let t = 0; t < T; t++) {
        const row = t * detections;
        let tp = 0;
        let fp = 0;
        let n = 0;
        let r = 0;
        let nextRecallThreshold = R > 0 ? recallThresholds[0]! : Number.POSITIVE_INFINITY;
        for (let run = 0; run < runs; run++) {
          const copies = counts[runImage[run]!]!;
          if (copies === 0) continue;
          const start = row + runStart[run]!;
          const end = row + runStart[run + 1]!;
          for (let c = 0; c < copies; c++) {
            for (let j = start; j < end; j++) {
              const s = status[j]!;
              if (s === TP) tp++;
              else if (s === FP) fp++;
              pr[n] = tp / (fp + tp + EPS);
              // np.searchsorted(rc, recThrs, side='left'): the first point whose recall reaches each threshold.
              const rc = tp / npig;
              while (rc >= nextRecallThreshold) {
                firstAtRecall[r++] = n;
                nextRecallThreshold = r < R ? recallThresholds[r]! : Number.POSITIVE_INFINITY;
              }
              n++;
            }
          }
        }
        this.recallAtEnd[t * K + k] = N > 0 ? tp / npig : 0;
        // Precision envelope: non-increasing from the right.
        for (let m = N - 1; m > 0; m--) if (pr[m]! > pr[m - 1]!) pr[m - 1] = pr[m]!;
        for (let q = 0; q < R; q++) {
          // Thresholds beyond the final recall keep 0 (pycocotools' swallowed IndexError).
          this.sampledPrecision[(t * R + q) * K + k] = q < r ? pr[firstAtRecall[q]!]! : 0;
        }
      }
    }
  }

  /** summarize's `np.mean(s[s > -1])` over precision[t, r, k] for the selected thresholds (all when null). */
  private meanPrecision(selected: Uint8Array | null): number {
    const { T, R, K, gather } = this;
    let count = 0;
    for (let t = 0; t < T; t++) {
      if (selected && selected[t] === 0) continue;
      for (let q = 0; q < R; q++) {
        for (let k = 0; k < K; k++) {
          if (this.categoryDefined[k] === 1) gather[count++] = this.sampledPrecision[(t * R + q) * K + k]!;
        }
      }
    }
    return count === 0 ? Number.NaN : pairwiseSum(gather, 0, count) / count;
  }

  /** summarize's mean over recall[t, k] (all thresholds, area 'all'). */
  private meanRecall(): number {
    const { T, K, gather } = this;
    let count = 0;
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < K; k++) if (this.categoryDefined[k] === 1) gather[count++] = this.recallAtEnd[t * K + k]!;
    }
    return count === 0 ? Number.NaN : pairwiseSum(gather, 0, count) / count;
  }

  /** Correct / labelled keypoints over the resample's persons (computePck on the duplicated person list). */
  private pck(counts: Int32Array): number {
    const { pckLabelledPerImage, pckCorrectPerImage } = this.table;
    let labelled = 0;
    let correct = 0;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (c === 0) continue;
      labelled += c * pckLabelledPerImage[i]!;
      correct += c * pckCorrectPerImage[i]!;
    }
    return labelled > 0 ? correct / labelled : Number.NaN;
  }

  /** Median of the timed images' latencies with multiplicities; mean of the middle two for an even count. */
  private medianLatency(counts: Int32Array): number {
    const order = this.latencyOrder;
    const sortedMs = this.latencySortedMs;
    let total = 0;
    for (let j = 0; j < order.length; j++) total += counts[order[j]!]!;
    if (total === 0) return Number.NaN;
    // 0-based ranks of the middle element(s) in the sorted multiset.
    const lowRank = (total - 1) >> 1;
    const highRank = total >> 1;
    let seen = 0;
    let low = Number.NaN;
    for (let j = 0; j < order.length; j++) {
      seen += counts[order[j]!]!;
      if (Number.isNaN(low) && seen > lowRank) low = sortedMs[j]!;
      if (seen > highRank) return lowRank === highRank ? low : (low + sortedMs[j]!) / 2;
    }
    return low;
  }
}

/** The statistics of one column with every image drawn `counts[i]` times (a convenience over ResampleEvaluator). */
export function evaluateResample(table: BootstrapColumnTable, counts: Int32Array): Record<BootstrapMetricName, number | null> {
  const values = new ResampleEvaluator(table).evaluate(counts);
  return Object.fromEntries(BOOTSTRAP_METRICS.map((name, i) => [name, Number.isNaN(values[i]!) ? null : values[i]!])) as Record<
    BootstrapMetricName,
    number | null
  >;
}

export interface BootstrapOptions {
  /** Resamples (default 1000; use at least 1000 for a 95% interval). */
  readonly resamples?: number;
  /** PRNG seed (default 1): the same seed, tables and resample count give the same report. */
  readonly seed?: number;
  /** Default 0.95: the 2.5th and 97.5th percentiles. */
  readonly confidenceLevel?: number;
  /** Resamples per cooperative chunk (default 50): progress is reported and control yielded after each. */
  readonly chunkResamples?: number;
  /** Called after every chunk (and once at the end) with resamples done and the total. */
  readonly onProgress?: (doneResamples: number, totalResamples: number) => void;
  /** Stops `runBootstrap` between chunks (it rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** How `runBootstrap` yields between chunks; default a macrotask (setTimeout 0), so worker messages get through. */
  readonly yieldControl?: () => Promise<void>;
}

export interface BootstrapColumnReport {
  readonly columnId: string;
  readonly displayName: string;
  readonly labelledPeople: number;
  readonly timedImages: number;
  /** Point estimate on the full set and percentile interval, per statistic. */
  readonly intervals: Readonly<Record<BootstrapMetricName, BootstrapInterval>>;
  /** Per statistic, the value on each resample (NaN where undefined), resample order: for differences the UI computes itself. */
  readonly samples: Readonly<Record<BootstrapMetricName, Float64Array>>;
}

/** Column A minus column B on the same resamples. */
export interface PairedDifference extends BootstrapInterval {
  /** The interval excludes 0 (null when no resample defined the difference). */
  readonly significant: boolean | null;
}

export interface BootstrapPairReport {
  readonly columnIdA: string;
  readonly columnIdB: string;
  /** A − B per statistic (for latency, a negative difference means A is faster). */
  readonly differences: Readonly<Record<BootstrapMetricName, PairedDifference>>;
}

export interface BootstrapReport {
  readonly resamples: number;
  readonly seed: number;
  readonly confidenceLevel: number;
  /** How the interval ends are read off the resampled values. */
  readonly percentileMethod: 'numpy-linear';
  /** Images resampled (each resample draws this many). */
  readonly imageCount: number;
  readonly columns: readonly BootstrapColumnReport[];
  /** Every pair of columns (i < j in `columns` order), A = columns[i], B = columns[j]. */
  readonly pairs: readonly BootstrapPairReport[];
}

/** The paired difference A − B from two columns' per-resample values (same resamples) and point estimates. */
export function pairedDifference(
  samplesA: ArrayLike<number>,
  samplesB: ArrayLike<number>,
  pointA: number | null,
  pointB: number | null,
  confidenceLevel: number = DEFAULT_CONFIDENCE_LEVEL,
): PairedDifference {
  if (samplesA.length !== samplesB.length) throw new RangeError('paired samples must come from the same resamples');
  const diff = new Float64Array(samplesA.length);
  for (let i = 0; i < diff.length; i++) diff[i] = samplesA[i]! - samplesB[i]!; // NaN when either is undefined
  const point = pointA !== null && pointB !== null ? pointA - pointB : null;
  const interval = percentileInterval(diff, point, confidenceLevel);
  const significant = interval.lower === null || interval.upper === null ? null : interval.lower > 0 || interval.upper < 0;
  return { ...interval, significant };
}

interface RunState {
  readonly tables: readonly BootstrapColumnTable[];
  readonly total: number;
  readonly confidenceLevel: number;
  readonly seed: number;
  readonly random: SeededRandom;
  readonly counts: Int32Array;
  readonly evaluators: ResampleEvaluator[];
  /** [column][resample × metrics]. */
  readonly values: Float64Array[];
  done: number;
}

const METRIC_COUNT = BOOTSTRAP_METRICS.length;

function startRun(tables: readonly BootstrapColumnTable[], options: BootstrapOptions): RunState {
  const total = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`resamples must be a whole number ≥ 1, got ${total}`);
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const confidenceLevel = options.confidenceLevel ?? DEFAULT_CONFIDENCE_LEVEL;
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${confidenceLevel}`);
  const first = tables[0];
  const n = first?.imageIds.length ?? 0;
  if (n > MAX_RESAMPLE_POPULATION) throw new RangeError(`at most ${MAX_RESAMPLE_POPULATION} images can be resampled, got ${n}`);
  for (const table of tables) {
    const same = table.imageIds.length === n && table.imageIds.every((id, i) => id === first!.imageIds[i]);
    if (!same) {
      throw new RangeError(`column ${table.columnId} lists other images than ${first!.columnId}: paired resamples need the same images in the same order`);
    }
  }
  return {
    tables,
    total,
    confidenceLevel,
    seed,
    random: new SeededRandom(seed),
    counts: new Int32Array(n),
    evaluators: tables.map((table) => new ResampleEvaluator(table)),
    values: tables.map(() => new Float64Array(total * METRIC_COUNT)),
    done: 0,
  };
}

function runChunk(state: RunState, chunk: number): void {
  const end = Math.min(state.total, state.done + chunk);
  for (let b = state.done; b < end; b++) {
    if (state.counts.length > 0) drawResampleCounts(state.random, state.counts);
    for (let c = 0; c < state.evaluators.length; c++) state.evaluators[c]!.evaluate(state.counts, state.values[c]!, b * METRIC_COUNT);
  }
  state.done = end;
}

function metricColumn(values: Float64Array, metric: number, total: number): Float64Array {
  const out = new Float64Array(total);
  for (let b = 0; b < total; b++) out[b] = values[b * METRIC_COUNT + metric]!;
  return out;
}

function finishRun(state: RunState): BootstrapReport {
  const n = state.counts.length;
  const ones = new Int32Array(n).fill(1);
  const columns = state.tables.map((table, c): BootstrapColumnReport => {
    const point = state.evaluators[c]!.evaluate(ones);
    const samples = {} as Record<BootstrapMetricName, Float64Array>;
    const intervals = {} as Record<BootstrapMetricName, BootstrapInterval>;
    BOOTSTRAP_METRICS.forEach((name, m) => {
      samples[name] = metricColumn(state.values[c]!, m, state.total);
      const p = point[m]!;
      intervals[name] = percentileInterval(samples[name], Number.isNaN(p) ? null : p, state.confidenceLevel);
    });
    return { columnId: table.columnId, displayName: table.displayName, labelledPeople: table.labelledPeople, timedImages: table.timedImages, intervals, samples };
  });
  const pairs: BootstrapPairReport[] = [];
  for (let i = 0; i < columns.length; i++) {
    for (let j = i + 1; j < columns.length; j++) {
      const a = columns[i]!;
      const b = columns[j]!;
      const differences = {} as Record<BootstrapMetricName, PairedDifference>;
      for (const name of BOOTSTRAP_METRICS) {
        differences[name] = pairedDifference(a.samples[name], b.samples[name], a.intervals[name].point, b.intervals[name].point, state.confidenceLevel);
      }
      pairs.push({ columnIdA: a.columnId, columnIdB: b.columnId, differences });
    }
  }
  return {
    resamples: state.total,
    seed: state.seed,
    confidenceLevel: state.confidenceLevel,
    percentileMethod: 'numpy-linear',
    imageCount: n,
    columns,
    pairs,
  };
}

function chunkSize(options: BootstrapOptions): number {
  const chunk = options.chunkResamples ?? DEFAULT_CHUNK_RESAMPLES;
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunkResamples must be a whole number ≥ 1, got ${chunk}`);
  return chunk;
}

/** The whole bootstrap in one go (CLI, tests); `onProgress` is still called after every chunk. */
export function runBootstrapSync(tables: readonly BootstrapColumnTable[], options: BootstrapOptions = {}): BootstrapReport {
  const state = startRun(tables, options);
  const chunk = chunkSize(options);
  while (state.done < state.total) {
    runChunk(state, chunk);
    options.onProgress?.(state.done, state.total);
  }
  return finishRun(state);
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * The bootstrap in cooperative chunks: after every `chunkResamples` resamples it reports progress and yields (so a
 * worker can answer messages, or a page stay responsive), and stops if `signal` is aborted. Same report as
 * {@link runBootstrapSync} for the same tables and options.
 * @param tables columns from `prepareBootstrapColumn`, all on the same images in the same order
 */
export async function runBootstrap(tables: readonly BootstrapColumnTable[], options: BootstrapOptions = {}): Promise<BootstrapReport> {
  const state = startRun(tables, options);
  const chunk = chunkSize(options);
  const yieldControl = options.yieldControl ?? yieldToEventLoop;
  while (state.done < state.total) {
    options.signal?.throwIfAborted();
    runChunk(state, chunk);
    options.onProgress?.(state.done, state.total);
    if (state.done < state.total) await yieldControl();
  }
  options.signal?.throwIfAborted();
  return finishRun(state);
}
