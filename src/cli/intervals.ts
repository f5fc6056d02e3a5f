/**
 * Bootstrap intervals in the CLI: the same job as the app's analysis worker (`runBootstrapJob`), the same wording
 * (`intervalText`), printed as a table, the paired differences against the best-AP column and the three-outcome
 * verdict, and written as intervals.json / intervals.csv (or a block of `score --json`).
 */

import type { CocoKeypointResult, CocoKeypointsGroundTruth } from '../core/coco/cocoTypes';
import { csvField } from '../core/evaluation/exportMetrics';
import {
  METRIC_LABELS,
  intervalBasisText,
  intervalVerdictText,
  pairText,
  valueWithInterval,
} from '../core/evaluation/intervalText';
import type { VerdictTargets } from '../core/evaluation/verdict';
import { intervalVerdictRow, type IntervalVerdictRow } from '../core/evaluation/verdictInterval';
import { BOOTSTRAP_METRICS, type BootstrapMetricName, type BootstrapReport, type PairedDifference } from '../core/metrics/bootstrap';
import type { BootstrapInterval } from '../core/metrics/bootstrapPercentile';
import type { PckNormalizer } from '../core/metrics/pck';
import { runBootstrapJob } from '../analysis/bootstrapJob';
import type { BootstrapPhase } from '../analysis/analysisProtocol';
import { formatTable } from './terminal';

/** Version of the intervals.json layout (and of the `intervals` block of `score --json`). */
export const INTERVALS_JSON_FORMAT_VERSION = 1;

export const INTERVALS_JSON_FILE_NAME = 'intervals.json';
export const INTERVALS_CSV_FILE_NAME = 'intervals.csv';

export interface IntervalColumnInput {
  columnId: string;
  displayName: string;
  results: readonly CocoKeypointResult[];
  /** Per entry of the image list: model time of all the image's inferences, ms; null for a results file. */
  imageLatencyMs: readonly (number | null)[] | null;
}

export interface IntervalRunInput {
  gt: CocoKeypointsGroundTruth;
  /** The images every column was scored on; all columns are resampled on this one list (paired differences). */
  imageIds: readonly number[];
  columns: readonly IntervalColumnInput[];
  pck: { alpha: number; normalizer: PckNormalizer };
  resamples: number;
  seed: number;
}

/** Runs the app's bootstrap job in Node; `onProgress` as the worker reports it. */
export function computeIntervals(input: IntervalRunInput, onProgress: (phase: BootstrapPhase, done: number, total: number) => void): Promise<BootstrapReport> {
  return runBootstrapJob(
    {
      gt: input.gt,
      imageIds: input.imageIds,
      columns: input.columns.map((c) => ({ columnId: c.columnId, displayName: c.displayName, results: c.results, imageLatencyMs: c.imageLatencyMs })),
      pck: input.pck,
      resamples: input.resamples,
      seed: input.seed,
    },
    onProgress,
  );
}

/** Progress text for stderr, e.g. "bootstrap: 350/1000 resamples". */
export function intervalProgressText(phase: BootstrapPhase, done: number, total: number): string {
  return phase === 'preparing' ? `bootstrap: scoring column ${done + 1}/${total} image by image` : `bootstrap: ${done}/${total} resamples`;
}

/** The column with the highest AP point estimate (first on ties), against which the others are compared. */
export function bestApColumnId(report: BootstrapReport): string | null {
  let best: { id: string; ap: number } | null = null;
  for (const column of report.columns) {
    const ap = column.intervals.AP.point;
    if (ap !== null && (best === null || ap > best.ap)) best = { id: column.columnId, ap };
  }
  return best?.id ?? null;
}

/** Metrics some column measured: the latency column is left out for results files (nothing timed). */
function measuredMetrics(report: BootstrapReport): BootstrapMetricName[] {
  return BOOTSTRAP_METRICS.filter((metric) => report.columns.some((c) => c.intervals[metric].point !== null));
}

/** Each other column against the best-AP one, per measured metric, worded by `pairText`. */
export function comparisonLines(report: BootstrapReport): string[] {
  const best = bestApColumnId(report);
  if (best === null) return [];
  const metrics = measuredMetrics(report);
  return report.columns
    .filter((c) => c.columnId !== best)
    .flatMap((c) => metrics.map((metric) => pairText(report, best, c.columnId, metric)).filter((line): line is string => line !== null));
}

function hasTargets(targets: VerdictTargets): boolean {
  return targets.apMin !== null || targets.pckMin !== null || targets.latencyMaxMs !== null;
}

export function intervalVerdictRows(report: BootstrapReport, targets: VerdictTargets): IntervalVerdictRow[] {
  return hasTargets(targets) ? report.columns.map((column) => intervalVerdictRow(column, targets)) : [];
}

/** "PCK@0.2 (bbox)", as the metrics table heads its PCK column. */
function pckLabel(pck: { alpha: number; normalizer: PckNormalizer }): string {
  return `PCK@${pck.alpha} (${pck.normalizer})`;
}

/**
 * The text block: a table of every measured statistic with its interval, the basis line, the paired differences
 * against the best-AP column (when there are several columns) and, when targets are set, the interval verdicts.
 */
export function intervalsText(report: BootstrapReport, targets: VerdictTargets, pck: { alpha: number; normalizer: PckNormalizer }): string {
  const metrics = measuredMetrics(report);
  const header = ['Model', ...metrics.map((m) => (m === 'PCK' ? pckLabel(pck) : METRIC_LABELS[m]))];
  const rows = report.columns.map((c) => [c.columnId === c.displayName ? c.displayName : `${c.displayName} [${c.columnId}]`, ...metrics.map((m) => valueWithInterval(c.intervals[m], m))]);
  let text = `Bootstrap intervals (${intervalBasisText(report)}):\n${formatTable(header, rows)}`;
  const comparisons = comparisonLines(report);
  if (comparisons.length > 0) {
    text += `\nPaired differences against the best AP (${report.columns.find((c) => c.columnId === bestApColumnId(report))!.displayName}), on the same resampled images:\n`;
    text += comparisons.map((line) => `  ${line}\n`).join('');
  }
  const verdicts = intervalVerdictRows(report, targets);
  if (verdicts.length > 0) {
    text += `\nVerdict on the intervals (${intervalBasisText(report)}):\n`;
    text += verdicts.map((row) => `  ${intervalVerdictText(row, `PCK@${pck.alpha}`)}\n`).join('');
  }
  return text;
}

/** One column in the JSON: the report's column without its per-resample values (those are 6 × N numbers). */
export interface IntervalsJsonColumn {
  columnId: string;
  displayName: string;
  labelledPeople: number;
  timedImages: number;
  intervals: Record<BootstrapMetricName, BootstrapInterval>;
}

export interface IntervalsJson {
  formatVersion: number;
  resamples: number;
  seed: number;
  confidenceLevel: number;
  percentileMethod: BootstrapReport['percentileMethod'];
  imageCount: number;
  /** The basis line, as printed. */
  basis: string;
  columns: IntervalsJsonColumn[];
  /** Every pair of columns, A − B (for latency, negative = A faster). */
  pairs: { columnIdA: string; columnIdB: string; differences: Record<BootstrapMetricName, PairedDifference> }[];
  /** The printed comparison lines (each column against the best-AP one). */
  comparisons: string[];
  /** Per column, when targets were given: the interval verdict and its printed line. */
  verdicts: { row: IntervalVerdictRow; text: string }[] | null;
}

export function intervalsJson(report: BootstrapReport, targets: VerdictTargets, pck: { alpha: number; normalizer: PckNormalizer }): IntervalsJson {
  const rows = intervalVerdictRows(report, targets);
  return {
    formatVersion: INTERVALS_JSON_FORMAT_VERSION,
    resamples: report.resamples,
    seed: report.seed,
    confidenceLevel: report.confidenceLevel,
    percentileMethod: report.percentileMethod,
    imageCount: report.imageCount,
    basis: intervalBasisText(report),
    columns: report.columns.map((c) => ({
      columnId: c.columnId,
      displayName: c.displayName,
      labelledPeople: c.labelledPeople,
      timedImages: c.timedImages,
      intervals: { ...c.intervals },
    })),
    pairs: report.pairs.map((p) => ({ columnIdA: p.columnIdA, columnIdB: p.columnIdB, differences: { ...p.differences } })),
    comparisons: comparisonLines(report),
    verdicts: rows.length > 0 ? rows.map((row) => ({ row, text: intervalVerdictText(row, `PCK@${pck.alpha}`) })) : null,
  };
}

/**
 * intervals.csv: one row per column and statistic (kind `interval`), then one per pair and statistic (kind
 * `difference`, column minus versus_column). CRLF line ends and quoting as metrics.csv.
 */
export function intervalsCsv(report: BootstrapReport): string {
  const header = ['kind', 'column_id', 'versus_column_id', 'metric', 'point', 'lower', 'upper', 'significant', 'defined_resamples', 'resamples', 'seed', 'confidence_level', 'images'];
  const common = [report.resamples, report.seed, report.confidenceLevel, report.imageCount];
  const rows: (string | number | null)[][] = [];
  for (const c of report.columns) {
    for (const m of BOOTSTRAP_METRICS) {
      const i = c.intervals[m];
      rows.push(['interval', c.columnId, null, m, i.point, i.lower, i.upper, null, i.definedResamples, ...common]);
    }
  }
  for (const p of report.pairs) {
    for (const m of BOOTSTRAP_METRICS) {
      const d = p.differences[m];
      rows.push(['difference', p.columnIdA, p.columnIdB, m, d.point, d.lower, d.upper, d.significant === null ? null : String(d.significant), d.definedResamples, ...common]);
    }
  }
  return [header, ...rows].map((row) => row.map((v) => csvField(v)).join(',')).join('\r\n') + '\r\n';
}
