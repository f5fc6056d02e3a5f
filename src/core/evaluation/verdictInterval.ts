/**
 * "Is this model good enough?" with the uncertainty of a small labelled set: each target is judged on the bootstrap
 * interval of its metric, not on the point estimate alone, so a verdict never rests on a handful of lucky images.
 */

import type { BootstrapColumnReport, BootstrapMetricName } from '../metrics/bootstrap';
import type { BootstrapInterval } from '../metrics/bootstrapPercentile';
import type { VerdictTargets } from './verdict';

/**
 * - `pass`: the whole interval meets the target;
 * - `fail`: the whole interval misses it;
 * - `inconclusive`: the interval straddles the target, more labelled data is needed to tell.
 */
export type IntervalOutcome = 'pass' | 'fail' | 'inconclusive';

/** `atLeast`: metric ≥ threshold (AP, PCK); `atMost`: metric ≤ threshold (latency). */
export interface IntervalTarget {
  readonly comparison: 'atLeast' | 'atMost';
  readonly threshold: number;
}

export interface IntervalVerdict {
  /** null when the metric was not measured (no interval: no labelled person, no timed image). */
  readonly outcome: IntervalOutcome | null;
  readonly target: IntervalTarget;
  readonly interval: BootstrapInterval;
  /** What the interval was computed from: labelled people for AP/PCK, timed images for latency. */
  readonly sampleSize: number;
  readonly sampleUnit: 'people' | 'images';
  /**
   * Inconclusive only: about how many in total (of `sampleUnit`) would likely settle it, ⌈n × (w / d)²⌉, where d is
   * the distance from the point estimate to the threshold and w the interval's half-width on the threshold's side
   * (point to the interval end that crosses it). Assumption: the interval keeps its shape and its width shrinks as
   * 1/√n, as a bootstrap interval of a smooth statistic does when more images like these are labelled, and the point
   * estimate stays where it is. It is an order of magnitude to plan labelling, not a promise. The one-sided
   * half-width equals the usual (upper − lower) / 2 for a symmetric interval and, unlike it, always says "more than
   * now" for a straddling asymmetric one. null when settled, not measured, or the point sits exactly on the threshold
   * (no amount of data is predicted to settle it).
   */
  readonly sampleSizeNeeded: number | null;
  /** `sampleSizeNeeded − sampleSize`, at least 1 when inconclusive; null where `sampleSizeNeeded` is. */
  readonly moreNeeded: number | null;
}

/**
 * Judges one target on a bootstrap interval (see {@link IntervalOutcome}). Interval ends equal to the threshold
 * count as meeting it (≥ / ≤ are inclusive, as in `verdict`).
 * @param sampleSize people (or images) the interval rests on, for the "how many more" estimate
 */
export function intervalVerdict(
  interval: BootstrapInterval,
  target: IntervalTarget,
  sampleSize: number,
  sampleUnit: 'people' | 'images' = 'people',
): IntervalVerdict {
  const { lower, upper, point } = interval;
  const base = { target, interval, sampleSize, sampleUnit };
  if (lower === null || upper === null || !Number.isFinite(target.threshold)) {
    return { ...base, outcome: null, sampleSizeNeeded: null, moreNeeded: null };
  }
  const t = target.threshold;
  const meetsAll = target.comparison === 'atLeast' ? lower >= t : upper <= t;
  const missesAll = target.comparison === 'atLeast' ? upper < t : lower > t;
  const outcome: IntervalOutcome = meetsAll ? 'pass' : missesAll ? 'fail' : 'inconclusive';
  if (outcome !== 'inconclusive' || point === null || sampleSize <= 0) {
    return { ...base, outcome, sampleSizeNeeded: null, moreNeeded: null };
  }
  const distance = Math.abs(point - t);
  if (distance === 0) return { ...base, outcome, sampleSizeNeeded: null, moreNeeded: null };
  // The side of the interval that crosses the threshold; positive whenever the interval straddles it.
  const halfWidth = t >= point ? upper - point : point - lower;
  // The relative 1e-12 keeps rounding noise of decimal inputs (0.72 − 0.68 is not exactly 0.04) from adding one.
  const sampleSizeNeeded = Math.ceil(sampleSize * (halfWidth / distance) ** 2 * (1 - 1e-12));
  return { ...base, outcome, sampleSizeNeeded, moreNeeded: Math.max(1, sampleSizeNeeded - sampleSize) };
}

export interface IntervalVerdictCheck {
  readonly target: 'AP' | 'PCK' | 'latency';
  readonly metric: BootstrapMetricName;
  readonly verdict: IntervalVerdict;
}

export interface IntervalVerdictRow {
  readonly columnId: string;
  readonly displayName: string;
  /** One check per target that is set, in the order AP, PCK, latency. */
  readonly checks: readonly IntervalVerdictCheck[];
  /**
   * fail if any check fails; else inconclusive if any is; else null if any is not measured or no target is set;
   * else pass.
   */
  readonly outcome: IntervalOutcome | null;
}

function targetValue(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/**
 * The targets of `verdict` (AP ≥ apMin, PCK ≥ pckMin, median latency per image ≤ latencyMaxMs) judged on a column's
 * bootstrap intervals.
 */
export function intervalVerdictRow(column: BootstrapColumnReport, targets: VerdictTargets): IntervalVerdictRow {
  const checks: IntervalVerdictCheck[] = [];
  const apMin = targetValue(targets.apMin);
  const pckMin = targetValue(targets.pckMin);
  const latencyMaxMs = targetValue(targets.latencyMaxMs);
  if (apMin !== null) {
    checks.push({ target: 'AP', metric: 'AP', verdict: intervalVerdict(column.intervals.AP, { comparison: 'atLeast', threshold: apMin }, column.labelledPeople) });
  }
  if (pckMin !== null) {
    checks.push({ target: 'PCK', metric: 'PCK', verdict: intervalVerdict(column.intervals.PCK, { comparison: 'atLeast', threshold: pckMin }, column.labelledPeople) });
  }
  if (latencyMaxMs !== null) {
    const verdict = intervalVerdict(column.intervals.medianImageLatencyMs, { comparison: 'atMost', threshold: latencyMaxMs }, column.timedImages, 'images');
    checks.push({ target: 'latency', metric: 'medianImageLatencyMs', verdict });
  }
  const outcomes = checks.map((c) => c.verdict.outcome);
  let outcome: IntervalOutcome | null = null;
  if (outcomes.includes('fail')) outcome = 'fail';
  else if (outcomes.includes('inconclusive')) outcome = 'inconclusive';
  else if (outcomes.length > 0 && outcomes.every((o) => o === 'pass')) outcome = 'pass';
  return { columnId: column.columnId, displayName: column.displayName, checks, outcome };
}
