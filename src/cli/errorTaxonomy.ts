/**
 * The coco-analyze error taxonomy per column in the CLI, as text (the data: core/evaluation/errorSummary.ts).
 */
import { CLASS_LABELS, ERROR_LABELS, KEYPOINT_CLASSES, type ColumnErrors } from '../core/evaluation/errorSummary';
import { formatTable } from './terminal';

export { ERRORS_JSON_FILE_NAME, ERRORS_JSON_FORMAT_VERSION, ERRORS_METHOD, KEYPOINT_CLASSES, columnErrors, errorsJson } from '../core/evaluation/errorSummary';
export type { ApGainSummary, ColumnErrors, ErrorsJson, KeypointClass, PerKeypointRow } from '../core/evaluation/errorSummary';

/** OKS thresholds whose background errors and AP gains are printed (all 10 are in the JSON). */
const SHOWN_OKS_THRESHOLDS = [0.5, 0.75] as const;
/** Keypoints named per error type in the "most often" line. */
const TOP_KEYPOINTS = 3;

const percent = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '—');
const signed3 = (value: number | null) => (value === null ? 'n/a' : `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(3)}`);
const count = (n: number) => n.toLocaleString('en-US');

/** Index of an OKS threshold by exact value (the tool's list is decimal literals, so 0.75 is there exactly). */
const thresholdIndex = (thresholds: readonly number[], oks: number) => thresholds.indexOf(oks);

function columnText(column: ColumnErrors): string {
  const name = column.columnId === column.displayName ? column.displayName : `${column.displayName} [${column.columnId}]`;
  if (column.analysis === null) return `${name}: not available (${column.unavailable ?? 'no analysis'})\n`;
  const a = column.analysis;
  const lines: string[] = [];
  lines.push(
    `${name}: ${count(a.labelledKeypoints)} labelled keypoints of ${count(a.analysedDetections)} detections matched to labelled persons ` +
      `(${count(a.matchedDetections)} of ${count(a.detections)} detections matched at OKS 0.1)`,
  );
  lines.push(`  Keypoints: ${KEYPOINT_CLASSES.map((c) => `${CLASS_LABELS[c]} ${count(a.counts[c])} (${percent(a.counts[c], a.labelledKeypoints)})`).join(' · ')}`);
  const bg = a.background;
  const background = SHOWN_OKS_THRESHOLDS.map((oks) => {
    const t = thresholdIndex(bg.oksThresholds, oks);
    return t < 0 ? null : `at OKS ${oks.toFixed(2)}: ${count(bg.falsePositives[t]!)} false positives, ${count(bg.falseNegatives[t]!)} false negatives`;
  }).filter((s): s is string => s !== null);
  lines.push(
    `  Background (${count(a.detections)} detections, ${count(bg.groundTruthCount)} annotations): ${background.join('; ')}; ` +
      `at every threshold: ${count(bg.falsePositivesAtAllThresholds.length)} FP, ${count(bg.falseNegativesAtAllThresholds.length)} FN (${count(bg.falseNegativesWithKeypointsAtAllThresholds)} with keypoints)`,
  );
  const gainHeader = ['  AP gain if fixed (area all)', 'mean .50:.95', '± std', ...SHOWN_OKS_THRESHOLDS.map((oks) => `at OKS ${oks.toFixed(2)}`)];
  const gainRows = a.apGain.map((g) => [
    `  ${ERROR_LABELS[g.errorType]}`,
    signed3(g.meanOverThresholds),
    g.stdOverThresholds === null ? 'n/a' : g.stdOverThresholds.toFixed(3),
    ...SHOWN_OKS_THRESHOLDS.map((oks) => signed3(g.perThreshold[thresholdIndex(a.oksThresholds, oks)] ?? null)),
  ]);
  lines.push(formatTable(gainHeader, gainRows).trimEnd());
  const keypointHeader = ['  Keypoint', 'labelled', ...KEYPOINT_CLASSES.map((c) => CLASS_LABELS[c])];
  const keypointRows = a.perKeypoint.map((row) => [`  ${row.keypoint}`, count(row.labelled), ...KEYPOINT_CLASSES.map((c) => `${count(row.counts[c])} ${percent(row.counts[c], row.labelled).padStart(6)}`)]);
  lines.push(formatTable(keypointHeader, keypointRows).trimEnd());
  const mostOften = KEYPOINT_CLASSES.filter((c) => c !== 'good')
    .map((c) => {
      const top = [...a.perKeypoint].filter((row) => row.counts[c] > 0).sort((x, y) => y.counts[c] - x.counts[c]).slice(0, TOP_KEYPOINTS);
      return top.length === 0 ? null : `${CLASS_LABELS[c]}: ${top.map((row) => `${row.keypoint} ${count(row.counts[c])}`).join(', ')}`;
    })
    .filter((s): s is string => s !== null);
  if (mostOften.length > 0) lines.push(`  Most often: ${mostOften.join(' · ')}`);
  return lines.join('\n') + '\n';
}

/** The text block for all columns, with the method in one paragraph above. */
export function errorsText(columns: readonly ColumnErrors[]): string {
  return (
    'Error taxonomy (coco-analyze, Ronchi & Perona ICCV 2017; persons and detections under 32² px left out, as the tool does; ' +
    `AP gain: mean ± std over OKS .50:.95, area all, as the tool's bar chart; method in full: the JSON's "method"):\n` +
    columns.map(columnText).join('\n')
  );
}
