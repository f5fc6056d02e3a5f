/** Metrics as files: CSV (one row per column, for spreadsheets) and JSON (everything, for scripts). */

import { KEYPOINT_STATS_NAMES } from '../metrics/cocoEval';
import type { ModelMetrics } from './evaluateColumn';
import { PROTOCOL_DESCRIPTIONS, type EvaluationProtocol } from './protocol';
import { verdict, type VerdictTargets } from './verdict';

export interface ExportContext {
  protocol: EvaluationProtocol;
  /** tfjs backend the models ran on (e.g. 'wasm'); null when unknown (imported predictions only). */
  backend: string | null;
  /** When the metrics were computed, ISO 8601. */
  dateIso: string;
}

/** Version of the metrics.json layout; bumped when a field changes meaning. */
export const METRICS_JSON_FORMAT_VERSION = 1;

/**
 * One CSV field per RFC 4180: quoted when it holds a comma, a quote, CR or LF, quotes doubled.
 * Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) gets a leading `'`,
 * the usual defence against CSV injection: display names can come from imported file names.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One row per column, CRLF line ends (RFC 4180), a header row first. Numbers are written in full precision; an AP/AR
 * of -1 means the area range has no ground-truth person (pycocotools' convention); empty = not measured.
 * The PCK column is named `PCK@α` when every row uses the same α and normaliser, `PCK` otherwise (the α and
 * normaliser columns always say which).
 */
export function metricsToCsv(metrics: readonly ModelMetrics[], context: ExportContext): string {
  const first = metrics[0];
  const sharedPck = first && metrics.every((m) => m.pck.alpha === first.pck.alpha && m.pck.normalizer === first.pck.normalizer);
  const pckHeader = sharedPck ? `PCK@${first.pck.alpha}` : 'PCK';
  const header = [
    'column_id',
    'model',
    'protocol',
    'backend',
    'date',
    'images_evaluated',
    'images_total',
    'detections',
    ...KEYPOINT_STATS_NAMES,
    pckHeader,
    'pck_alpha',
    'pck_normalizer',
    'pck_persons_skipped',
    'median_latency_ms',
  ];
  const rows = metrics.map((m) => [
    m.columnId,
    m.displayName,
    m.protocol,
    context.backend,
    context.dateIso,
    m.imagesEvaluated,
    m.imagesTotal,
    m.detections,
    ...KEYPOINT_STATS_NAMES.map((name) => m.stats[name]),
    m.pck.value,
    m.pck.alpha,
    m.pck.normalizer,
    m.pck.personsSkipped,
    m.medianLatencyMs,
  ]);
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** What metricsToJson writes. */
export interface MetricsJson {
  tool: 'keypoint-bench';
  formatVersion: number;
  dateIso: string;
  protocol: EvaluationProtocol;
  protocolDescription: string;
  backend: string | null;
  notes: string[];
  metrics: ModelMetrics[];
  targets?: VerdictTargets;
  verdict?: ReturnType<typeof verdict>;
}

/** Everything, pretty-printed (2 spaces); with `targets`, also the verdict per column. */
export function metricsToJson(
  metrics: readonly ModelMetrics[],
  context: ExportContext & { targets?: VerdictTargets },
): string {
  const out: MetricsJson = {
    tool: 'keypoint-bench',
    formatVersion: METRICS_JSON_FORMAT_VERSION,
    dateIso: context.dateIso,
    protocol: context.protocol,
    protocolDescription: PROTOCOL_DESCRIPTIONS[context.protocol],
    backend: context.backend,
    notes: [
      'stats are pycocotools keypoint stats (fractions); -1 means the area range has no ground-truth person.',
      'pck.alpha is a fraction of the person size (normalizer bbox: max(w, h) of the GT box; torso: shoulder-hip distance).',
      'Latencies are milliseconds per image (model time: preprocessing, inference, postprocessing).',
    ],
    metrics: [...metrics],
  };
  if (context.targets) {
    out.targets = context.targets;
    out.verdict = verdict(metrics, context.targets);
  }
  return JSON.stringify(out, null, 2) + '\n';
}
