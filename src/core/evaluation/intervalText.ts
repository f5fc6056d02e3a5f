/**
 * Intervals, interval verdicts and paired differences as text, one wording for the screen, every export and the CLI.
 */
import { BOOTSTRAP_METRIC_HIGHER_IS_BETTER, type BootstrapMetricName, type BootstrapPairReport, type BootstrapReport } from '../metrics/bootstrap';
import type { BootstrapInterval } from '../metrics/bootstrapPercentile';
import type { IntervalOutcome, IntervalVerdict, IntervalVerdictRow } from './verdictInterval';

/** How each statistic is printed: fractions with 3 decimals, milliseconds with 1. */
const DIGITS: Record<BootstrapMetricName, number> = { AP: 3, AP50: 3, AP75: 3, AR: 3, PCK: 3, medianImageLatencyMs: 1 };
const UNIT: Record<BootstrapMetricName, string> = { AP: '', AP50: '', AP75: '', AR: '', PCK: '', medianImageLatencyMs: ' ms' };
export const METRIC_LABELS: Record<BootstrapMetricName, string> = { AP: 'AP', AP50: 'AP50', AP75: 'AP75', AR: 'AR', PCK: 'PCK', medianImageLatencyMs: 'ms/image' };

/** A minus sign, not a hyphen: "−0.021" reads as a number in a slide. */
const signed = (value: number, digits: number) => `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(digits)}`;
const plain = (value: number, digits: number) => (value < 0 ? `−${Math.abs(value).toFixed(digits)}` : value.toFixed(digits));

/** "[0.291, 0.402]", or "[—]" where no resample defined the statistic. */
export function intervalBrackets(interval: Pick<BootstrapInterval, 'lower' | 'upper'>, metric: BootstrapMetricName, sign = false): string {
  if (interval.lower === null || interval.upper === null) return '[—]';
  const f = sign ? signed : plain;
  return `[${f(interval.lower, DIGITS[metric])}, ${f(interval.upper, DIGITS[metric])}]`;
}

/** "0.343 [0.291, 0.402]" (with the unit for latency), "—" when not measured. */
export function valueWithInterval(interval: BootstrapInterval, metric: BootstrapMetricName): string {
  if (interval.point === null) return '—';
  return `${plain(interval.point, DIGITS[metric])}${UNIT[metric]} ${intervalBrackets(interval, metric)}`;
}

export const OUTCOME_LABELS: Record<IntervalOutcome, string> = { pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE' };

function checkText(label: string, metric: BootstrapMetricName, verdict: IntervalVerdict): string {
  const { target, interval } = verdict;
  const required = `${target.comparison === 'atLeast' ? '≥' : '≤'} ${target.threshold.toFixed(DIGITS[metric])}${UNIT[metric]}`;
  if (verdict.outcome === null) return `${label} not measured (target ${required})`;
  const head = `${label} ${valueWithInterval(interval, metric)} vs ${required}: ${verdict.outcome === 'inconclusive' ? 'inconclusive' : verdict.outcome}`;
  if (verdict.outcome !== 'inconclusive') return head;
  if (verdict.moreNeeded === null) return `${head} (it sits on the target)`;
  return `${head}, about ${verdict.moreNeeded.toLocaleString('en-US')} more labelled ${verdict.sampleUnit} would likely settle it`;
}

/** "INCONCLUSIVE · Thunder · AP 0.343 [0.291, 0.402] vs ≥ 0.350: inconclusive, about 130 more labelled people would likely settle it". */
export function intervalVerdictText(row: IntervalVerdictRow, pckLabel = 'PCK'): string {
  const head = row.outcome === null ? 'NOT DECIDED' : OUTCOME_LABELS[row.outcome];
  if (row.checks.length === 0) return `${head} · ${row.displayName} · no targets set`;
  const checks = row.checks.map((check) => checkText(check.target === 'PCK' ? pckLabel : check.target === 'latency' ? 'median latency' : 'AP', check.metric, check.verdict));
  return `${head} · ${row.displayName} · ${checks.join(' · ')}`;
}

/** What the verdict rests on: "dataset-wide: 38 images, 121 labelled people; 95% bootstrap intervals, 1,000 resamples of the images, seed 1". */
export function intervalBasisText(report: BootstrapReport): string {
  const people = Math.max(0, ...report.columns.map((c) => c.labelledPeople));
  return (
    `dataset-wide: ${report.imageCount} image${report.imageCount === 1 ? '' : 's'}, ${people} labelled ${people === 1 ? 'person' : 'people'}; ` +
    `${Math.round(report.confidenceLevel * 100)}% bootstrap intervals, ${report.resamples.toLocaleString('en-US')} resamples of the images, seed ${report.seed}`
  );
}

/**
 * "Thunder is better than BlazePose heavy: +0.033 AP [−0.021, +0.080], not significant": the paired difference of
 * the better of the two minus the other (for latency, lower is better: "is faster than", in ms).
 */
export function pairText(report: BootstrapReport, columnIdA: string, columnIdB: string, metric: BootstrapMetricName): string | null {
  const pair = report.pairs.find((p) => (p.columnIdA === columnIdA && p.columnIdB === columnIdB) || (p.columnIdA === columnIdB && p.columnIdB === columnIdA));
  if (!pair) return null;
  const name = (id: string) => report.columns.find((c) => c.columnId === id)?.displayName ?? id;
  const difference = orient(pair, columnIdA).differences[metric];
  if (difference.point === null) return `${name(columnIdA)} vs ${name(columnIdB)}: ${METRIC_LABELS[metric]} not measured for both`;
  const higherIsBetter = BOOTSTRAP_METRIC_HIGHER_IS_BETTER[metric];
  // Printed as "better minus worse", so the point is positive for scores and negative for latency.
  const aIsBetter = higherIsBetter ? difference.point >= 0 : difference.point <= 0;
  const [better, worse] = aIsBetter ? [columnIdA, columnIdB] : [columnIdB, columnIdA];
  const shown = aIsBetter ? difference : { point: -difference.point, lower: difference.upper === null ? null : -difference.upper, upper: difference.lower === null ? null : -difference.lower };
  const verb = higherIsBetter ? 'is better than' : 'is faster than';
  const significance = difference.significant === null ? 'not measured' : difference.significant ? 'significant (the interval excludes 0)' : 'not significant';
  const unit = UNIT[metric] === '' ? ` ${METRIC_LABELS[metric]}` : UNIT[metric];
  return `${name(better)} ${verb} ${name(worse)}: ${signed(shown.point!, DIGITS[metric])}${unit} ${intervalBrackets(shown, metric, true)}, ${significance}`;
}

/** The pair as A − B with A = `columnIdA` (the report keeps each pair once, in column order). */
function orient(pair: BootstrapPairReport, columnIdA: string): BootstrapPairReport {
  if (pair.columnIdA === columnIdA) return pair;
  const flipped = Object.fromEntries(
    Object.entries(pair.differences).map(([metric, d]) => [metric, { ...d, point: d.point === null ? null : -d.point, lower: d.upper === null ? null : -d.upper, upper: d.lower === null ? null : -d.lower }]),
  ) as unknown as BootstrapPairReport['differences'];
  return { columnIdA, columnIdB: pair.columnIdA, differences: flipped };
}
